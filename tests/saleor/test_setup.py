"""Installing the plugin leaves Saleor's pinned packages as they are."""

import importlib.metadata

from packaging.requirements import Requirement


def test_every_requirement_is_met_by_the_version_saleor_pinned():
    requirements = [
        Requirement(line)
        for line in importlib.metadata.requires("saleor-oci-plugin") or []
    ]
    assert requirements, "the distribution declares its dependencies"
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate():
            continue
        installed = importlib.metadata.version(requirement.name)
        assert requirement.specifier.contains(installed, prereleases=True), (
            f"{requirement} would move Saleor's {requirement.name}=={installed}"
        )
