"""Deductible input VAT on reimbursed expenses: table-driven over the kinds of document."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reimburse.vouchers.vat import Basis, VatFacts, input_vat

D = Decimal
EMPLOYEE = {"passenger_name": "张三", "passenger_is_employee": True}


@pytest.mark.parametrize(
    ("facts", "deductible", "basis"),
    [
        # special invoices: the printed tax
        (VatFacts(D("1060.00"), "vat_special", D("60.00")), "60.00", Basis.SPECIAL_INVOICE),
        (VatFacts(D("1060.00"), "vat_electronic_special", D("60.00")), "60.00", Basis.SPECIAL_INVOICE),
        (VatFacts(D("1130.00"), "digital_special", D("130.00")), "130.00", Basis.SPECIAL_INVOICE),
        # train: amount / 1.09 × 0.09 -> 553.00 / 1.09 × 0.09 = 45.66
        (VatFacts(D("553.00"), "train_ticket", **EMPLOYEE), "45.66", Basis.TRAIN_TICKET),
        (VatFacts(D("109.00"), "train_ticket", transport="train", **EMPLOYEE), "9.00", Basis.TRAIN_TICKET),
        # air: (fare + fuel surcharge) / 1.09 × 0.09; the civil aviation fund is not in the base
        (
            VatFacts(
                D("1250.00"),
                "other_invoice",
                transport="air",
                fare=D("1130.00"),
                fuel_surcharge=D("70.00"),
                **EMPLOYEE,
            ),
            "99.08",
            Basis.AIR_TICKET,
        ),
        (
            VatFacts(D("1100.00"), "other_invoice", transport="air", fare=D("1090.00"), **EMPLOYEE),
            "90.00",
            Basis.AIR_TICKET,
        ),
        # road and water: amount / 1.03 × 0.03
        (
            VatFacts(D("103.00"), "other_invoice", transport="road", **EMPLOYEE),
            "3.00",
            Basis.ROAD_WATER_TICKET,
        ),
        (
            VatFacts(D("250.00"), "other_invoice", transport="water", **EMPLOYEE),
            "7.28",
            Basis.ROAD_WATER_TICKET,
        ),
        # electronic general invoice for passenger transport: the printed tax
        (
            VatFacts(D("218.00"), "digital_general", D("18.00"), transport="air", **EMPLOYEE),
            "18.00",
            Basis.ELECTRONIC_PASSENGER,
        ),
        (
            VatFacts(D("103.00"), "vat_electronic_general", D("3.00"), ("*运输服务*客运服务费",), **EMPLOYEE),
            "3.00",
            Basis.ELECTRONIC_PASSENGER,
        ),
    ],
)
def test_deductible(facts: VatFacts, deductible: str, basis: Basis) -> None:
    result = input_vat(facts)
    assert (result.deductible, result.basis) == (D(deductible), basis)


@pytest.mark.parametrize(
    ("facts", "why"),
    [
        (VatFacts(D("300.00"), "digital_general", D("16.98"), ("*餐饮服务*餐费",)), "general invoice"),
        (VatFacts(D("300.00"), "vat_general", D("16.98")), "general invoice"),
        (VatFacts(D("300.00"), "vat_roll", D("16.98")), "general invoice"),
        (VatFacts(D("50.00"), "taxi"), "general invoice"),
        (VatFacts(D("50.00"), "quota"), "general invoice"),
        (VatFacts(D("50.00"), "toll_electronic", D("1.46")), "general invoice"),
        # tickets of someone who is not an employee, or with no name
        (
            VatFacts(D("553.00"), "train_ticket", passenger_name="客户李四", passenger_is_employee=False),
            "employee",
        ),
        (VatFacts(D("553.00"), "train_ticket", passenger_is_employee=True), "employee"),
        (VatFacts(D("553.00"), "train_ticket"), "employee"),
        (
            VatFacts(
                D("218.00"),
                "digital_general",
                D("18.00"),
                transport="air",
                passenger_name="客户",
                passenger_is_employee=False,
            ),
            "not named as an employee",
        ),
        # an air ticket without its fare cannot be computed
        (VatFacts(D("1250.00"), "other_invoice", transport="air", **EMPLOYEE), "fare"),
        # an unknown fapiao with no ticket facts is a general invoice
        (VatFacts(D("103.00"), "other_invoice", **EMPLOYEE), "general invoice"),
        # a special invoice whose tax was not read
        (VatFacts(D("1060.00"), "vat_special", None), "not read"),
        # foreign documents and items without fapiao
        (VatFacts(D("700.00"), None, foreign=True), "foreign"),
        (VatFacts(D("100.00"), "vat_special", D("6.00"), foreign=True), "foreign"),
        (VatFacts(D("100.00"), None), "no fapiao"),
    ],
)
def test_not_deductible(facts: VatFacts, why: str) -> None:
    result = input_vat(facts)
    assert result.deductible == D("0.00") and result.basis is Basis.NOT_DEDUCTIBLE
    assert why in result.reason


def test_deductible_never_exceeds_the_amount() -> None:
    # a misread tax larger than the item would make a negative expense line
    assert input_vat(VatFacts(D("50.00"), "vat_special", D("500.00"))).deductible == D("50.00")


def test_formula_rounds_half_up() -> None:
    # 12.11 / 1.09 * 0.09 = 0.99990... -> 1.00 ; 6.05/1.09*0.09 = 0.49954 -> 0.50
    assert input_vat(VatFacts(D("12.11"), "train_ticket", **EMPLOYEE)).deductible == D("1.00")
    assert input_vat(VatFacts(D("6.05"), "train_ticket", **EMPLOYEE)).deductible == D("0.50")
