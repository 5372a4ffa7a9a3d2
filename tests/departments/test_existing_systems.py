"""The three first systems in the session's warehouse (also proves the fixture works)."""


def test_every_published_model_of_the_first_systems_has_rows(department_warehouse):
    for model in ("pub_service_requests", "pub_building_permits", "pub_digital_adoption"):
        (rows,) = department_warehouse(f"SELECT count(*) FROM open_data.{model}")[0]
        assert rows > 0, model
