-- One row per intake channel (requests and payments).
select channel_code, channel_name, is_online
from {{ ref('intake_channels') }}
