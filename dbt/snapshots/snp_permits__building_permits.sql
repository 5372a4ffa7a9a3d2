{% snapshot snp_permits__building_permits %}
    {{
        config(
            schema='snapshots',
            unique_key='permit_number',
            strategy='check',
            check_cols=['status', 'issue_date', 'completion_date', 'construction_value']
        )
    }}
    -- The staging rows loaded since the last snapshot (see snp_crm311__service_requests).
    select * from {{ ref('stg_permits__building_permits') }}
    {{ loaded_since_last_snapshot() }}
{% endsnapshot %}
