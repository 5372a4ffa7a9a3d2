"""Taxes (Finance and Revenue): the tax roll and instalments systems through the contracts,
dbt and the gates, in the session's warehouse (scale 0.2)."""

from __future__ import annotations

from decimal import Decimal

SYSTEMS = ("tax_roll", "tax_instalments")


def test_every_row_is_accounted_for(department_warehouse):
    files = department_warehouse(
        "SELECT system, file_name, encoding, rows_read, rows_loaded, rows_quarantined, "
        "rows_dropped FROM raw._ingest_files WHERE system IN ('tax_roll', 'tax_instalments') "
        "AND status = 'loaded' ORDER BY system, file_name"
    )
    assert len(files) == 4
    for system, name, encoding, read, loaded, quarantined, dropped in files:
        assert read == loaded + quarantined + dropped, name
        assert quarantined == 0, name  # every mess here is handled, none refused
        # the roll's grand-total row is dropped by its rule; instalments have none
        assert dropped == (1 if system == "tax_roll" else 0), name
        if name == "TaxRoll_2024.csv":
            assert encoding == "cp1252"
    (dropped,) = department_warehouse(
        "SELECT list(DISTINCT rule) FROM raw._dropped_rows WHERE system = 'tax_roll'"
    )[0]
    assert dropped == ["grand_total_trailer"]


def test_the_roll_mess_is_handled(department_warehouse):
    (lower, sentinels, spaced, plain) = department_warehouse(
        "SELECT count(*) FILTER (WHERE tax_class_code <> upper(tax_class_code)), "
        "count(*) FILTER (WHERE ward IN ('N/A', 'NULL', '-') "
        "OR mailing_address IN ('N/A', 'NULL', '-')), "
        "count(*) FILTER (WHERE roll_number LIKE '% %'), "
        "count(*) FILTER (WHERE roll_number NOT LIKE '% %') FROM raw.tax_roll_properties"
    )[0]
    assert lower == 0 and sentinels == 0  # case: upper; null_values
    # arrears "N/A" loaded empty (a money column: the sentinel would not even parse)
    (empty_arrears,) = department_warehouse(
        "SELECT count(*) FROM raw.tax_roll_properties WHERE arrears IS NULL"
    )[0]
    assert empty_arrears > 0
    assert spaced > 0 and plain > 0  # both vintages' roll numbers, one in staging
    (staged_rolls,) = department_warehouse(
        "SELECT count(*) FROM staging.stg_tax_roll__properties "
        "WHERE NOT regexp_full_match(roll_number, '[0-9]{19}')"
    )[0]
    assert staged_rolls == 0
    # the same property in both years (2024 spaced, 2025 plain): one property_key
    (both_years,) = department_warehouse(
        "SELECT count(*) FROM (SELECT property_key FROM core.fct_property_tax_roll "
        "GROUP BY property_key HAVING count(DISTINCT tax_year) = 2)"
    )[0]
    assert both_years > 2000
    # an assessment 1,000 times too large: flagged at ingest, left out of the fact's value
    flagged = department_warehouse(
        "SELECT count(*) FROM raw._flagged_values WHERE system = 'tax_roll' "
        "AND column_name = 'assessed_value'"
    )[0][0]
    implausible = department_warehouse(
        "SELECT count(*), count(assessed_value) FROM core.fct_property_tax_roll "
        "WHERE has_implausible_assessment"
    )[0]
    assert flagged > 0 and implausible == (flagged, 0)
    # properties exported twice: reported, staged once
    (conflicts,) = department_warehouse(
        "SELECT count(*) FROM raw._key_conflicts WHERE system = 'tax_roll'"
    )[0]
    raw_rows, staged = department_warehouse(
        "SELECT (SELECT count(*) FROM raw.tax_roll_properties), "
        "(SELECT count(*) FROM staging.stg_tax_roll__properties)"
    )[0]
    assert conflicts > 0 and staged < raw_rows


def test_the_instalments_mess_is_handled(department_warehouse):
    (trailing, upper) = department_warehouse(
        "SELECT count(*) FILTER (WHERE payment_channel LIKE '%;'), "
        "count(*) FILTER (WHERE payment_channel <> lower(payment_channel)) "
        "FROM raw.tax_instalments_instalments"
    )[0]
    assert trailing == 0 and upper == 0  # strip_trailing, case: lower
    # every spelling maps to a channel of dim_channels
    unknown = department_warehouse(
        "SELECT count(*) FROM core.fct_tax_instalments WHERE channel_code = 'unknown'"
    )[0][0]
    assert unknown == 0
    # paid before the bill: listed by the row rule and loaded with an empty paid date
    broken = department_warehouse(
        "SELECT f.file_name, f.source_row, r.paid_date FROM raw._flagged_values AS f "
        "JOIN raw.tax_instalments_instalments AS r "
        "ON r._source_file = f.file_name AND r._source_row = f.source_row "
        "WHERE f.system = 'tax_instalments' AND f.rule LIKE 'row: paid_before_bill%'"
    )
    assert broken and all(paid_date is None for _, _, paid_date in broken)
    # an instalment re-sent later in the file: staging keeps the later line (paid in full)
    resent = department_warehouse(
        "SELECT s.amount_paid, s.amount_billed FROM staging.stg_tax_instalments__instalments s "
        "WHERE s.instalment_key IN (SELECT cast(tax_year AS VARCHAR) || '-' || "
        "regexp_replace(roll_number, '[^0-9]', '', 'g') || '-' || cast(instalment_number "
        "AS VARCHAR) FROM raw.tax_instalments_instalments GROUP BY ALL HAVING count(*) > 1)"
    )
    assert resent and all(paid == billed for paid, billed in resent)


def test_the_facts_grain_is_unique(department_warehouse):
    for model, key in (
        ("fct_property_tax_roll", "property_year_key"),
        ("fct_tax_instalments", "instalment_key"),
    ):
        rows, keys = department_warehouse(
            f"SELECT count(*), count(DISTINCT {key}) FROM core.{model}"
        )[0]
        assert rows == keys > 0, model


def test_kpi_and_published_values_by_hand(department_warehouse):
    # collection rate and on-time rate of 2025, from the staged instalments
    staged = department_warehouse(
        "SELECT amount_billed, amount_paid, paid_date, due_date "
        "FROM staging.stg_tax_instalments__instalments WHERE tax_year = 2025"
    )
    billed = sum(b for b, _, _, _ in staged)
    collected = sum(min(p, b) for b, p, _, _ in staged)
    on_time = sum(1 for b, p, paid, due in staged if p >= b and paid and paid <= due)
    kpi = department_warehouse(
        "SELECT instalments, on_time_rate, collection_rate FROM kpi.kpi_tax_collection "
        "WHERE tax_year = 2025"
    )[0]
    assert kpi[0] == len(staged)
    assert abs(kpi[1] - on_time / len(staged)) < 1e-9
    assert abs(float(kpi[2]) - float(collected / billed)) < 1e-9
    # one month and channel of the published payments, recomputed from staged rows
    month, channel, payments, amount, share_on_time = department_warehouse(
        "SELECT month, channel_code, payments, amount_paid, share_on_time "
        "FROM open_data.pub_tax_payment_channels WHERE channel_code = 'online_banking' "
        "AND NOT is_suppressed ORDER BY payments DESC LIMIT 1"
    )[0]
    rows = department_warehouse(
        "SELECT s.amount_paid, s.paid_date <= s.due_date "
        "FROM staging.stg_tax_instalments__instalments s "
        "JOIN reference.channel_aliases a ON a.source_label = s.channel_label "
        "WHERE a.channel_code = ? AND s.amount_paid > 0 "
        "AND date_trunc('month', s.paid_date) = ?",
        [channel, month],
    )
    assert payments == len(rows)
    assert amount == sum((a for a, _ in rows), Decimal(0))
    assert abs(share_on_time - sum(on for _, on in rows) / len(rows)) < 1e-9


def test_small_cells_are_suppressed(department_warehouse):
    cells = department_warehouse(
        "SELECT f.tax_year, f.property_class, f.ward_number, count(*) AS n, "
        "any_value(p.properties), any_value(p.total_levy), any_value(p.is_suppressed) "
        "FROM core.fct_property_tax_roll f JOIN open_data.pub_property_tax_levy p "
        "ON p.tax_year = f.tax_year AND p.property_class = f.property_class "
        "AND p.ward_number IS NOT DISTINCT FROM f.ward_number GROUP BY ALL"
    )
    small = [c for c in cells if c[3] < 5]
    assert small, "the sample city has small cells (pipelines, farms in a ward)"
    assert all(c[4] is None and c[5] is None and c[6] for c in small)
    # a cell of 5 or more: published as counted, or suppressed as a complement (so that a
    # class's or a ward's total does not give a small one back)
    large = [c for c in cells if c[3] >= 5]
    assert all((c[4], c[6]) in {(c[3], False), (None, True)} for c in large)
    assert any(c[6] for c in large), "complements are suppressed too"
    for along in (1, 2):  # no year and ward (class) with exactly one suppressed class (ward)
        groups: dict = {}
        for c in cells:
            key = (c[0], c[2] if along == 1 else c[1])
            groups.setdefault(key, []).append(c[6])
        assert all(sum(flags) != 1 or len(flags) == 1 for flags in groups.values())


def test_no_suppressed_payment_count_can_be_recovered(department_warehouse):
    # payments / share_of_payments gives the month's total (digital_adoption publishes it
    # too); the total minus the published cells must leave two or more suppressed cells
    months = department_warehouse(
        "SELECT month, count(*) FILTER (WHERE is_suppressed), count(*), "
        "count(share_of_payments) FILTER (WHERE is_suppressed), "
        "min(payments / share_of_payments), max(payments / share_of_payments) "
        "FROM open_data.pub_tax_payment_channels GROUP BY month"
    )
    suppressed = [m for m in months if m[1]]
    assert suppressed, "the sample city has small payment cells"
    for _, hidden, cells, hidden_shares, low, high in months:
        assert hidden != 1 or cells == 1
        assert hidden_shares == 0
        if low is not None:  # one month total, whichever published share gives it
            assert abs(low - high) < 1e-6 * high


def test_no_personal_value_is_published(department_warehouse):
    personal = {
        v.lower()
        for (v,) in department_warehouse(
            "SELECT DISTINCT unnest([roll_number, regexp_replace(roll_number, ' ', '', 'g'), "
            "owner_names, mailing_address, property_address]) FROM raw.tax_roll_properties"
        )
        if v
    }
    for model in ("pub_property_tax_levy", "pub_tax_payment_channels"):
        columns = department_warehouse(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'open_data' AND table_name = ?",
            [model],
        )
        names = {c for c, _ in columns}
        assert not names & {"roll_number", "owner_names", "mailing_address", "property_address"}
        for column in (c for c, t in columns if t == "VARCHAR"):
            values = department_warehouse(f"SELECT DISTINCT {column} FROM open_data.{model}")
            assert not {v.lower() for (v,) in values if v} & personal, (model, column)
