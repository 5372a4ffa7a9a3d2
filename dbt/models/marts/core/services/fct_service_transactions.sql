-- One row per transaction of a service of the city's inventory (seed `services`), from
-- every department's own fact: when it started, when it was completed, on which channel,
-- its processing time and whether it met the service standard and the legislated
-- timeline. The systems are mapped to services in four intermediate models, one per kind
-- of service (requests, applications, one-step payments and registrations, snow clearing);
-- each says what "started" and "completed" mean in its systems and which rows it leaves
-- out (docs/departments/services.md). No personal columns.
--
-- has_duration: the system records a start distinct from the completion. Where it does
-- not (payments, registrations, the licences only the old licensing system knew, the
-- fire inspections and burn permits of 2024), started_at and completed_at are the one
-- date the system has and processing_days stays empty.
--
-- Incremental (macros/service_transactions.sql): a build recomputes the 311 requests and
-- payments loaded since its last build, and writes of the small systems only the
-- transactions that differ from those it holds (a 311 delta leaves the permits' 116k
-- rows of the scale-20 city as they are: rewriting them cost 0.2 s, and as much again
-- when DuckDB checkpointed them).
-- _loaded_at: when the 311 request or payment was loaded (empty for the other systems).
-- The rows themselves: intermediate/services/int_service_transactions.sql. A change of
-- its columns needs a rebuild (--full-refresh; the pipeline does that when the project
-- changes): the comparison is on the table's columns, so an incremental build refuses it.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ changed_service_transactions('mark') }}",
            "{{ changed_service_transactions('delete') }}",
            "{{ changed_service_transactions('append') }}",
        ]
    )
}}

-- what the pre-hooks read (dbt cannot see refs in a hook):
-- depends_on: {{ ref('fct_service_requests') }}
-- depends_on: {{ ref('fct_payments') }}

select * from {{ ref('int_service_transactions') }}
{%- if is_incremental() %}
    where {{ changed_service_transactions('filter') }}
{%- endif %}
