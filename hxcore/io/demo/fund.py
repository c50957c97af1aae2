"""The alliance's support fund: loans to HTX from 2017 and their instalments, with the balance
pinned at end-2022 and the H1-2023 half-year (3 loans of 1.000 in all, 1.695 recovered, 4 loans
settled) exactly as the report gives them."""

from __future__ import annotations

from datetime import date, timedelta

from hxcore.io.demo.arith import half_start, random_day, split_total
from hxcore.io.demo.register import Org, Register
from hxcore.io.demo.report import (
    END_2022,
    FUND_BORROWERS_2023H1,
    FUND_LOANS_2023H1,
    FUND_OUTSTANDING_2023H1,
    FUND_PARTIAL_2023H1,
    FUND_RECOVERED_2023H1,
    FUND_SETTLED_2023H1,
    H1_2023,
    HALF_ENDS_TO_2024,
)
from hxcore.model.vocab import OrgKind, OrgType

PURPOSE = "Vay vốn phát triển sản xuất, kinh doanh"
PURPOSE_CHAIN = "Vay vốn phát triển sản xuất theo chuỗi giá trị"


def build_fund(register: Register) -> FundLedger:
    """Loans and repayments to the end of 2024, in the order they were made."""
    fund = FundLedger(register)
    fund.lend_2017_2022()
    fund.repay_to_end_2022()
    fund.pin_end_2022()
    fund.half_year_2023h1()
    fund.after_the_report(HALF_ENDS_TO_2024[HALF_ENDS_TO_2024.index(H1_2023) + 1:])
    return fund


class FundLedger:
    def __init__(self, register: Register):
        self.register, self.rng = register, register.rng
        self.borrowers = [o for o in register.of_type(OrgType.COOP) if o.kind == OrgKind.HTX]
        self.loans: list[dict] = []
        self.repayments: list[dict] = []

    # --- The ledger ---------------------------------------------------------------------------
    def lend(self, day: date, amount: float, org: Org | None = None, purpose: str = PURPOSE) -> None:
        """A loan to `org`, or to an HTX operating that day picked at random."""
        if org is None:
            org = self.rng.choice([o for o in self.borrowers if o.operating_at(day)])
        self.loans.append({"id": len(self.loans) + 1, "org_id": org.id, "disbursed_on": day, "amount": float(amount),
                           "purpose": purpose})

    def balance(self, loan: dict, day: date) -> float:
        return loan["amount"] - sum(r["amount"] for r in self.repayments
                                    if r["loan_id"] == loan["id"] and r["paid_on"] <= day)

    def outstanding(self, day: date) -> float:
        return sum(self.balance(loan, day) for loan in self.loans)

    def repay(self, loan: dict, day: date, amount: float) -> None:
        settles = abs(self.balance(loan, day) - amount) < 1e-6
        self.repayments.append({"id": len(self.repayments) + 1, "loan_id": loan["id"], "paid_on": day,
                                "amount": float(amount), "settles_loan": settles})

    def instalment(self, loan: dict, day: date) -> float:
        """What a borrower pays at `day`: 50 to 150, or the rest of the loan."""
        return min(self.balance(loan, day), self.rng.randint(1, 3) * 50)

    # --- Its history ----------------------------------------------------------------------------
    def lend_2017_2022(self) -> None:
        rng = self.rng
        for year in range(2017, 2023):
            for _ in range(rng.randint(6, 9)):
                self.lend(random_day(rng, date(year, 2, 1), date(year, 11, 30)), rng.randint(10, 24) * 50)

    def repay_to_end_2022(self) -> None:
        """Instalments twice a year, beginning a year after disbursement."""
        for loan in self.loans:
            day = loan["disbursed_on"] + timedelta(days=365)
            while day <= END_2022 and self.balance(loan, day) > 0:
                self.repay(loan, day, self.instalment(loan, day))
                day += timedelta(days=182)

    def pin_end_2022(self) -> None:
        """The end-2022 balance is 22.695 + 1.695 − 1.000 = 23.390."""
        outstanding = self.outstanding(END_2022)
        wanted = FUND_OUTSTANDING_2023H1 + FUND_RECOVERED_2023H1 - sum(FUND_LOANS_2023H1)
        while outstanding < wanted:
            self.lend(random_day(self.rng, date(2022, 3, 1), date(2022, 11, 30)), min(800, wanted - outstanding))
            outstanding = self.outstanding(END_2022)
        while outstanding > wanted:
            loan = max(self.loans, key=lambda item: self.balance(item, END_2022))
            self.repay(loan, date(2022, 12, 15), min(outstanding - wanted, self.balance(loan, END_2022) - 50))
            outstanding = self.outstanding(END_2022)

    def half_year_2023h1(self) -> None:
        """12 loans repaid 1.695, 4 of them settled; then 3 loans of 1.000 in all."""
        rng = self.rng

        def at_end_2022(loan: dict) -> float:
            return self.balance(loan, END_2022)

        open_loans = sorted((loan for loan in self.loans if at_end_2022(loan) > 0), key=at_end_2022)
        settled = open_loans[:FUND_SETTLED_2023H1]
        for loan in settled:
            self.repay(loan, random_day(rng, date(2023, 1, 15), date(2023, 6, 15)), at_end_2022(loan))
        rest = FUND_RECOVERED_2023H1 - sum(at_end_2022(loan) for loan in settled)
        partial = sorted(open_loans[FUND_SETTLED_2023H1:], key=lambda item: -at_end_2022(item))
        partial = partial[:FUND_PARTIAL_2023H1]
        for loan, amount in zip(partial, split_total(int(rest), [1.0] * len(partial)), strict=True):
            assert amount < at_end_2022(loan)
            self.repay(loan, random_day(rng, date(2023, 1, 15), date(2023, 6, 15)), amount)
        named = self.register.named()
        for name, amount in zip(FUND_BORROWERS_2023H1, FUND_LOANS_2023H1, strict=True):
            self.lend(random_day(rng, date(2023, 3, 1), date(2023, 6, 20)), amount, named[name], PURPOSE_CHAIN)

    def after_the_report(self, half_ends: list[date]) -> None:
        rng = self.rng
        for half_end in half_ends:
            start = half_start(half_end)
            for _ in range(rng.randint(4, 8)):
                self.lend(random_day(rng, start, half_end), rng.randint(4, 10) * 50)
            for loan in self.loans:
                if loan["disbursed_on"] < start - timedelta(days=365) and self.balance(loan, half_end) > 0:
                    self.repay(loan, random_day(rng, start, half_end), self.instalment(loan, half_end))
