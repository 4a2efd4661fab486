"""The demo: a Dutch gift shop and one buyer in the current Saleor database
(:mod:`.shop`), and the whole OCI round trip run through HTTP without a person
(:mod:`.round_trip`). Started by ``manage.py oci_demo`` and ``scripts/demo``."""
