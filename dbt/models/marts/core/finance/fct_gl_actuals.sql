-- One row per cost centre, object account and fiscal month: the month's actual cost, the
-- sum of its summary line and its journal entries (a reversal pair nets to zero).
with lines as (

    select * from {{ ref('stg_general_ledger__ledger_lines') }}

),

named as (

    -- the cost centre's latest name in the ledger (one per cost centre)
    select
        cost_centre,
        arg_max(cost_centre_name, month) as cost_centre_name
    from lines
    group by cost_centre

)

select
    lines.cost_centre || '-' || lines.gl_account || '-' || strftime(lines.month, '%Y-%m')
        as gl_actual_key,
    lines.cost_centre,
    named.cost_centre_name,
    lines.gl_account,
    max(lines.gl_account_name) as gl_account_name,
    lines.month,
    cast(date_trunc('quarter', lines.month) as date) as quarter,
    cast(sum(lines.amount) as decimal(14, 2)) as actual_amount,
    count(*) as ledger_lines,
    count(*) filter (where lines.is_journal_entry) as journal_entries
from lines
inner join named on named.cost_centre = lines.cost_centre
group by lines.cost_centre, named.cost_centre_name, lines.gl_account, lines.month
