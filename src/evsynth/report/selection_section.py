"""The report's study-selection section: PRISMA 2020 diagram and counts, screening agreement."""

from __future__ import annotations

from dataclasses import dataclass

from evsynth.screening import KappaResult, PrismaCounts, prisma_svg


@dataclass(frozen=True, slots=True)
class SelectionSection:
    """Counts and agreement computed from the project's records and decision events."""

    counts: PrismaCounts
    agreement: KappaResult | None
    kappa_threshold: float | None
    double_screening: str
    warnings: tuple[str, ...] = ()

    def prisma_svg(self) -> str:
        return prisma_svg(self.counts)

    def count_rows(self) -> list[tuple[str, str]]:
        c = self.counts
        rows = [
            (f"Records identified: {src}", f"{n:,}") for src, n in c.identified_by_source.items()
        ]
        rows += [
            ("Records identified, total", f"{c.identified:,}"),
            ("Duplicate records removed", f"{c.duplicates_removed:,}"),
            ("Records screened (title and abstract)", f"{c.records_screened:,}"),
            ("Records excluded", f"{c.records_excluded:,}"),
            ("Reports sought for retrieval", f"{c.reports_sought:,}"),
            ("Reports not retrieved", f"{c.reports_not_retrieved:,}"),
            ("Reports assessed for eligibility", f"{c.reports_assessed:,}"),
        ]
        rows += [
            (f"Reports excluded: {r}", f"{n:,}") for r, n in c.reports_excluded_by_reason.items()
        ]
        rows += [
            ("Studies included", f"{c.studies_included:,}"),
            ("Reports of included studies", f"{c.reports_included:,}"),
        ]
        return rows

    def agreement_rows(self) -> list[tuple[str, str]]:
        k = self.agreement
        if k is None:
            return []
        a, b = k.reviewers if k.reviewers else ("A", "B")
        met = (
            ""
            if self.kappa_threshold is None
            else ("meets" if k.meets(self.kappa_threshold) else "does not meet")
            + f" the protocol's threshold of {self.kappa_threshold}"
        )
        return [
            ("Reviewers", f"{a} and {b}"),
            ("Records screened by both", f"{k.n:,}"),
            ("Observed agreement", f"{k.observed_agreement:.3f}"),
            (
                "Cohen's kappa (95% CI)",
                f"{k.estimate:.2f} ({k.ci_low:.2f} to {k.ci_high:.2f}) — {met}",
            ),
            ("Disagreements", f"{k.n_disagreements}"),
        ]

    def agreement_table(self) -> list[list[str]]:
        if self.agreement is None:
            return []
        table = self.agreement.table
        a, b = self.agreement.reviewers if self.agreement.reviewers else ("A", "B")
        header = [f"{a} (rows) / {b} (columns)"] + [str(c) for c in table.columns]
        return [header] + [
            [str(i)] + [str(int(v)) for v in row]
            for i, row in zip(table.index, table.to_numpy(), strict=True)
        ]

    def methods_text(self) -> str:
        c = self.counts
        parts = [
            f"Searches of {len(c.identified_by_source)} sources identified {c.identified:,} records; "
            f"{c.duplicates_removed:,} duplicates were linked to a kept record (evsynth keeps them as "
            "links, never deleting a record)."
        ]
        if self.agreement is not None:
            parts.append(
                f"Titles and abstracts were screened by one reviewer, with a second reviewer "
                f"screening {self.double_screening} to measure agreement (Cohen's kappa with its "
                "asymptotic 95% confidence interval); disagreements were resolved by a third reviewer."
            )
        parts.append(
            "Full texts were assessed by two reviewers independently against the protocol's "
            "criteria, with a third resolving disagreements; the flow diagram follows PRISMA 2020 "
            "and every count in it is computed from the recorded decisions."
        )
        return " ".join(parts)
