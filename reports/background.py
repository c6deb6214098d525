"""The outcome reports' export, as the worker writes it when long (jobs): a row per pair of
assessors, many thousands at a large centre, takes longer than a request may."""

from django.http import QueryDict

from jobs.api import ExportKind, Table, register

from . import selectors

OUTCOME_REPORTS_EXPORT = "outcome-reports-export"


def outcome_reports_table(query: QueryDict) -> Table:
    """Every row of the outcome reports; the page's query string selects nothing."""
    report = selectors.outcome_report()
    return Table(header=report.header, rows=report.rows(), count=report.count)


register(ExportKind(kind=OUTCOME_REPORTS_EXPORT, name="outcome-reports", table=outcome_reports_table))
