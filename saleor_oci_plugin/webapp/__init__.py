"""What the simulator and the storefront share: two small standard-library web apps.

The threaded WSGI server and its serving loop (:mod:`.server`), the WSGI plumbing
that turns refusals and failures into pages (:mod:`.wsgi`), the HTML page shell
(:mod:`.html`), the no-redirect HTTP client (:mod:`.http_client`) and GraphQL
results read from it (:mod:`.graphql`), and command-line argument checks
(:mod:`.cli`). Standard library only: no Django, no Saleor.
"""
