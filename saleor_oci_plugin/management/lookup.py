"""Finding what an operator names on a command line."""

from django.core.management.base import CommandError

from ..buyers.models import BuyerOrganisation


def organisation_by_reference(reference: str) -> BuyerOrganisation:
    """The organisation with this ID or name (any case); CommandError otherwise."""
    if reference.isdigit():
        found = BuyerOrganisation.objects.filter(pk=int(reference)).first()
        if found is not None:
            return found
    matches = list(BuyerOrganisation.objects.filter(name__iexact=reference.strip()))
    if not matches:
        raise CommandError(f"--organisation: no organisation {reference!r}.")
    if len(matches) > 1:
        ids = ", ".join(str(match.pk) for match in matches)
        raise CommandError(
            f"--organisation: several organisations are named {reference!r} "
            f"(IDs {ids}); give the ID."
        )
    return matches[0]
