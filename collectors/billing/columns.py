"""FOCUS columns: which ones fleetscope reads, how each becomes a `raw_billing_lines` column, and
the per-row checks that name the first bad value.

Every value arrives as text (CSV read with all_varchar; Parquet cast to varchar) so that CSV and
Parquet go through the same SQL. Names are matched case-insensitively (exports agree on
PascalCase, but nothing is lost by tolerating `billedcost`); columns fleetscope does not read
(`x_...` provider extensions, ChargeDescription...) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

# FOCUS name -> raw_billing_lines column; the kind says how the text is converted.
TIMESTAMPS = {"BillingPeriodStart": "billing_period_start",
              "BillingPeriodEnd": "billing_period_end",
              "ChargePeriodStart": "charge_period_start",
              "ChargePeriodEnd": "charge_period_end"}
NUMBERS = {"BilledCost": "billed_cost", "EffectiveCost": "effective_cost",
           "ListCost": "list_cost", "ContractedCost": "contracted_cost"}
TEXTS = {"ChargeCategory": "charge_category", "ChargeClass": "charge_class",
         "BillingAccountId": "billing_account_id", "SubAccountId": "sub_account_id",
         "ServiceName": "service_name", "ServiceCategory": "service_category",
         "ResourceId": "resource_id", "ResourceType": "resource_type", "RegionId": "region_id",
         "SkuId": "sku_id", "PricingCategory": "pricing_category",
         "CommitmentDiscountId": "commitment_discount_id", "BillingCurrency": "billing_currency"}
# FOCUS 1.3 renamed ProviderName to ServiceProviderName; the newer name wins when both exist.
PROVIDER_NAMES = ("ServiceProviderName", "ProviderName")
REQUIRED = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
            "ChargeCategory", "BilledCost", "EffectiveCost", "BillingCurrency")
OUTPUT_COLUMNS = (*TIMESTAMPS.values(), *NUMBERS.values(), *TEXTS.values(), "provider", "tags",
                  "file_name", "line_number")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Header:
    """The columns of one file: FOCUS name -> the file's own spelling, and Tags' DuckDB type."""

    names: dict[str, str]
    tags_type: str = "VARCHAR"

    @classmethod
    def of(cls, columns: list[tuple[str, str]]) -> Header:
        by_lower = {name.lower(): (name, kind) for name, kind in columns}
        wanted = [*TIMESTAMPS, *NUMBERS, *TEXTS, *PROVIDER_NAMES, "Tags"]
        names = {focus: by_lower[focus.lower()][0] for focus in wanted
                 if focus.lower() in by_lower}
        tags_type = by_lower["tags"][1] if "tags" in by_lower else "VARCHAR"
        return cls(names, tags_type)

    def missing(self) -> list[str]:
        return [name for name in REQUIRED if name not in self.names]

    def text(self, focus: str) -> str:
        """The column as text, NULL when absent; empty text is NULL as well."""
        if focus not in self.names:
            return "cast(null as varchar)"
        column = quote(self.names[focus])
        if focus == "Tags" and self.tags_type.startswith(("MAP", "STRUCT")):
            column = f"to_json({column})"  # Parquet exports may hold Tags as a map
        return f"nullif(cast({column} as varchar), '')"

    def provider(self) -> str:
        found = [self.text(name) for name in PROVIDER_NAMES if name in self.names]
        return found[0] if found else "cast(null as varchar)"


def timestamp_sql(text: str) -> str:
    # Through timestamptz so that `Z` and `+02:00` shift to UTC (the session is in UTC); a
    # cast straight to timestamp would drop the offset.
    return f"cast(try_cast({text} as timestamptz) as timestamp)"


def select_sql(header: Header, file_name: str) -> str:
    """The SELECT turning one staged file (`file_row_number` included) into warehouse rows."""
    parts = [f"{timestamp_sql(header.text(f))} as {c}" for f, c in TIMESTAMPS.items()]
    parts += [f"try_cast({header.text(f)} as double) as {c}" for f, c in NUMBERS.items()]
    parts += [f"{header.text(f)} as {c}" for f, c in TEXTS.items()]
    parts += [f"{header.provider()} as provider", f"cast({header.text('Tags')} as json) as tags",
              f"{literal(file_name)} as file_name",
              "file_row_number + 2 as line_number"]
    return "select " + ", ".join(parts)


def problem_sql(header: Header) -> str:
    """A CASE naming the first FOCUS column of a row that cannot be loaded (NULL: the row is
    fine). Python words the message once the first such row is found."""
    cases = []
    for focus in REQUIRED:
        cases.append(f"when {header.text(focus)} is null then '{focus}\tno value'")
    for focus in TIMESTAMPS:
        cases.append(f"when {timestamp_sql(header.text(focus))} is null and "
                     f"{header.text(focus)} is not null then '{focus}\tdate'")
    for focus in NUMBERS:
        if focus in header.names:
            cases.append(f"when try_cast({header.text(focus)} as double) is null and "
                         f"{header.text(focus)} is not null then '{focus}\tnumber'")
    cases.append(f"when upper({header.text('BillingCurrency')}) <> upper(?) "
                 "then 'BillingCurrency\tcurrency'")
    if "Tags" in header.names:
        tags = header.text("Tags")
        cases.append(f"when {tags} is not null and "
                     f"coalesce(json_type(try_cast({tags} as json)), '') <> 'OBJECT' "
                     "then 'Tags\ttags'")
    return "case " + " ".join(cases) + " end"


__all__ = ["OUTPUT_COLUMNS", "REQUIRED", "Header", "literal", "problem_sql", "quote", "select_sql"]
