"""Parks and Recreation's registration system (recreation_registrations) in the session's
warehouse: every row accounted for, the export's mess handled as the contract says, the
fact's grain, the fill KPI by hand, and suppressed aggregates only on the portal."""

from __future__ import annotations

from sample_data import recreation

from .conftest import SCALE

SYSTEM = "recreation_registrations"
PERSONAL = {
    "participant_first_name",
    "participant_last_name",
    "participant_birth_date",
    "guardian_phone",
    "guardian_email",
}


def test_every_row_is_loaded_quarantined_or_dropped(department_warehouse, tmp_path):
    sent = {p.name: n for p, n in recreation.write_extracts(tmp_path, SCALE, 7, force=True)}
    files = department_warehouse(
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined, rows_dropped "
        "FROM raw._ingest_files WHERE system = ? AND status = 'loaded'",
        [SYSTEM],
    )
    assert {name: read for name, read, *_ in files} == sent
    for _, read, loaded, quarantined, dropped in files:
        assert read == loaded + quarantined + dropped
        assert dropped == 1  # the Total row
    (loaded,) = department_warehouse(f"SELECT count(*) FROM raw.{SYSTEM}")[0]
    assert loaded == sum(row[2] for row in files)


def test_the_mess_is_handled_as_the_contract_says(department_warehouse):
    (rules,) = department_warehouse(
        "SELECT list(DISTINCT rule) FROM raw._dropped_rows WHERE system = ?", [SYSTEM]
    )[0]
    assert rules == ["report_total_row"]
    # birth dates typed as text (05-Mar-2015) read as dates like the date cells
    birth = department_warehouse(
        f"SELECT count(*), count(participant_birth_date) FROM raw.{SYSTEM}"
    )[0]
    assert birth[0] == birth[1]
    (quarantined,) = department_warehouse(
        "SELECT count(*) FROM raw._quarantined_rows WHERE system = ?", [SYSTEM]
    )[0]
    assert quarantined == 0
    # Online / ONLINE / in person -> the city's channel codes
    channels = department_warehouse(f"SELECT DISTINCT channel FROM raw.{SYSTEM} ORDER BY 1")
    assert channels == [("phone",), ("walk_in",), ("web",)]
    assert department_warehouse(
        "SELECT DISTINCT age_group = 'Unknown' FROM "
        "staging.stg_recreation_registrations__registrations"
    ) == [(False,)]


def test_a_registration_exported_twice_keeps_its_later_copy(department_warehouse):
    (conflicts,) = department_warehouse(
        "SELECT count(*) FROM raw._key_conflicts WHERE system = ?", [SYSTEM]
    )[0]
    assert conflicts > 0
    later = department_warehouse(f"""
        SELECT registration_id, arg_max(status, _source_row), count(DISTINCT status)
        FROM raw.{SYSTEM} GROUP BY registration_id HAVING count(*) > 1""")
    assert any(statuses == 2 for *_, statuses in later)  # some copies changed status
    staged = dict(
        department_warehouse(
            "SELECT registration_id, status FROM "
            "staging.stg_recreation_registrations__registrations"
        )
    )
    assert all(staged[key] == status for key, status, _ in later)


def test_the_fact_has_one_row_per_registration(department_warehouse):
    rows, keys, raw_keys = department_warehouse(f"""
        SELECT count(*), count(DISTINCT registration_id),
               (SELECT count(DISTINCT registration_id) FROM raw.{SYSTEM})
        FROM core.fct_recreation_registrations""")[0]
    assert rows == keys == raw_keys


def test_fill_rate_and_online_share_by_hand(department_warehouse):
    month, program, facility = department_warehouse(
        "SELECT month, program_name, facility_name FROM kpi.kpi_recreation_program_fill "
        "WHERE registrations >= 10 ORDER BY month, program_name, facility_name LIMIT 1"
    )[0]
    rows = department_warehouse(
        "SELECT section_code, section_capacity, status, channel_code "
        "FROM core.fct_recreation_registrations "
        "WHERE program_start_month = ? AND program_name = ? AND facility_name = ?",
        [month, program, facility],
    )
    capacity = sum(dict((code, places) for code, places, *_ in rows).values())
    registered = [channel for *_, status, channel in rows if status == "Registered"]
    kpi = department_warehouse(
        "SELECT capacity, registrations, fill_rate, online_share "
        "FROM kpi.kpi_recreation_program_fill "
        "WHERE month = ? AND program_name = ? AND facility_name = ?",
        [month, program, facility],
    )[0]
    assert kpi[:2] == (capacity, len(registered))
    assert abs(kpi[2] - len(registered) / capacity) < 1e-9
    assert abs(kpi[3] - registered.count("web") / len(registered)) < 1e-9


def test_the_portal_sees_suppressed_aggregates_only(department_warehouse):
    columns = {
        name
        for (name,) in department_warehouse(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'open_data' AND table_name = 'pub_recreation_registrations'"
        )
    }
    assert columns.isdisjoint(PERSONAL | {"registration_id", "age_at_start"})
    joined = department_warehouse("""
        SELECT kpi.registrations, kpi.waitlisted, pub.registrations, pub.waitlisted,
               pub.fill_rate, pub.online_share, pub.is_suppressed,
               kpi.online_registrations, pub.capacity
        FROM kpi.kpi_recreation_program_fill AS kpi
        JOIN open_data.pub_recreation_registrations AS pub
          USING (month, program_name, facility_name)""")
    (published,) = department_warehouse(
        "SELECT count(*) FROM open_data.pub_recreation_registrations"
    )[0]
    assert len(joined) == published > 0
    few_online_shown = complements = 0
    for row in joined:
        registered, waiting, pub_registered, pub_waiting, fill, online, suppressed, web, cap = row
        # a capacity beside a suppressed count bounds it (a capacity of 1: one registered)
        assert pub_registered is not None or cap is None
        few_registered, few_waiting = 0 < registered < 5, 0 < waiting < 5  # zero is shown
        # online share x registrations must not give back 1-4 online or other registrations
        few_split = 0 < web < 5 or 0 < registered - web < 5
        assert not few_split or online is None
        few_online_shown += few_split and not few_registered
        # a small count is suppressed; a count of 5 or more is published as counted, or
        # suppressed as the complement that keeps a total from giving a small one back
        assert not few_registered or pub_registered is None
        assert pub_registered is None or pub_registered == registered >= 5 or registered == 0
        assert pub_registered is not None or (fill is None and online is None)
        assert not few_waiting or pub_waiting is None
        assert pub_waiting is None or pub_waiting == waiting
        assert suppressed == (pub_registered is None or pub_waiting is None)
        complements += pub_registered is None and registered >= 5
    assert {row[6] for row in joined} == {True, False}  # both kinds of rows occur
    assert complements, "some counts of 5 or more are suppressed as complements"
    assert few_online_shown, "some published counts have a small online or other part"
