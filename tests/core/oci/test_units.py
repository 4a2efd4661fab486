import pytest

from saleor_oci_plugin.oci.problems import MappingError
from saleor_oci_plugin.oci.units import UnitTable, UnknownUnitError


@pytest.mark.parametrize(
    ("shop_unit", "code"),
    [
        ("stuk", "PCE"),
        ("Stuks", "PCE"),
        (" pcs ", "PCE"),
        ("doos", "BX"),
        ("kg", "KGM"),
        ("bos", "BH"),
        ("Liter", "LTR"),
        ("m²", "MTK"),
        ("set", "SET"),
        ("Stück", "PCE"),
    ],
)
def test_shop_units_map_to_iso_codes(shop_unit, code):
    assert UnitTable().to_oci(shop_unit) == code


def test_empty_unit_is_the_default_unit():
    assert UnitTable().to_oci("") == "PCE"
    assert UnitTable(default_unit="EA").to_oci("  ") == "EA"


def test_a_shop_unit_that_is_a_code_passes_through():
    assert UnitTable().to_oci("C62") == "C62"
    assert UnitTable().to_oci("EA") == "EA"


def test_overrides_by_shop_unit_win():
    table = UnitTable(overrides={"Doos": "CT"})
    assert table.to_oci("doos") == "CT"
    assert table.to_oci("box") == "BX"


def test_overrides_by_code_change_every_unit_with_that_code():
    table = UnitTable(overrides={"PCE": "EA"})
    assert table.to_oci("stuk") == "EA"
    assert table.to_oci("pcs") == "EA"
    assert table.to_oci("PCE") == "EA"
    assert table.to_oci("kg") == "KGM"


def test_an_unknown_unit_is_an_error_not_a_guess():
    with pytest.raises(UnknownUnitError, match="'krat' has no OCI code"):
        UnitTable().to_oci("krat")
    with pytest.raises(UnknownUnitError):
        UnitTable().to_oci("pce2")


def test_invalid_override_codes_are_refused_together():
    with pytest.raises(MappingError) as caught:
        UnitTable(overrides={"doos": "carton", "": "BX"}, default_unit="piece")
    codes = sorted(problem.code for problem in caught.value.problems)
    assert codes == ["invalid_unit_code", "invalid_unit_code", "invalid_unit_name"]


def test_dict_round_trip():
    table = UnitTable(overrides={"Doos": "CT", "PCE": "EA"}, default_unit="C62")
    data = table.to_dict()
    assert data == {"overrides": {"doos": "CT", "pce": "EA"}, "default_unit": "C62"}
    assert UnitTable.from_dict(data) == table
    assert UnitTable.from_dict({}) == UnitTable()
