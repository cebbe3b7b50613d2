-- Cloud bills in FOCUS (FinOps Open Cost and Usage Specification 1.0-1.3) ------------------------
-- One row per bill line as the provider exported it. A load is one source and one billing period
-- (`loads.window_start/window_end` = BillingPeriodStart/End): a restated bill for the same period
-- replaces the earlier load's rows in one transaction. Column names are FOCUS's, in snake case;
-- `provider` is ProviderName (1.0-1.2) or ServiceProviderName (1.3). Money is in
-- `billing_currency`, which the loader checks against `pricing.currency`.
create table raw_billing_lines (
    load_id varchar not null, collected_at timestamp not null, source varchar not null,
    billing_period_start timestamp not null,
    billing_period_end   timestamp not null,
    charge_period_start  timestamp not null,
    charge_period_end    timestamp not null,
    charge_category      varchar not null,   -- Usage | Purchase | Tax | Credit | Adjustment
    charge_class         varchar,            -- NULL, or 'Correction'
    provider             varchar,
    billing_account_id   varchar,
    sub_account_id       varchar,
    service_name         varchar,
    service_category     varchar,
    resource_id          varchar,
    resource_type        varchar,
    region_id            varchar,
    sku_id               varchar,
    pricing_category     varchar,            -- Standard | Dynamic (spot) | Committed | Other
    commitment_discount_id varchar,
    billed_cost          double not null,
    effective_cost       double not null,
    list_cost            double,
    contracted_cost      double,
    billing_currency     varchar not null,
    tags                 json,               -- the Tags object; NULL when the export says NULL
    file_name            varchar not null,   -- the export file, relative to the loaded path
    line_number          bigint not null     -- its line in that file (1 = header), for messages
);

-- How a persistent volume names its disk on the bill: the CSI `spec.csi.volumeHandle`, or the
-- in-tree id (`awsElasticBlockStore.volumeID`, `gcePersistentDisk.pdName`,
-- `azureDisk.diskURI`). NULL in rows loaded before this column existed.
alter table raw_k8s_pvs add column volume_handle varchar;
