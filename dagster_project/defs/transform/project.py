"""The dbt project as Dagster sees it (manifest built by ``make dbt-parse``)."""

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()  # `dagster dev` re-parses; deployments use the built manifest
