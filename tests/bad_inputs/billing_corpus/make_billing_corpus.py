"""Writes the FOCUS bad inputs of this folder (run it after changing a case; outputs are
committed). Each file is the two-line bill GOOD with exactly one thing wrong."""

from __future__ import annotations

import gzip
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ("BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,"
          "BilledCost,EffectiveCost,BillingCurrency,ProviderName,ResourceId,Tags")
LINE_1 = ('2024-09-01 00:00:00,2024-10-01 00:00:00,2024-09-18 22:00:00,2024-09-18 23:00:00,'
          'Usage,0.192,0.12,USD,AWS,i-0a,"{""team"": ""payments""}"')
LINE_2 = ("2024-09-01 00:00:00,2024-10-01 00:00:00,2024-09-18 23:00:00,2024-09-19 00:00:00,"
          "Usage,0.192,0.12,USD,AWS,i-0a,NULL")


def bill(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


FILES = {
    "good_focus.csv": bill(LINE_1, LINE_2),
    "focus_no_currency_column.csv": bill(
        LINE_1.replace(",USD", ""), LINE_2.replace(",USD", ""),
        header=HEADER.replace(",BillingCurrency", "")),
    "focus_eur.csv": bill(LINE_1, LINE_2.replace(",USD,", ",EUR,")),
    "focus_bad_date.csv": bill(LINE_1, LINE_2.replace("2024-09-18 23:00:00", "18/09/2024 23h")),
    "focus_bad_number.csv": bill(LINE_1, LINE_2.replace(",0.192,", ",$0.19,")),
    "focus_tags_list.csv": bill(LINE_1, LINE_2.replace(",NULL", ',"[""team""]"')),
    "focus_tags_broken.csv": bill(LINE_1, LINE_2.replace(",NULL", ',"{team: payments"')),
    "focus_unterminated_quote.csv": bill(LINE_1.replace('"{""team"": ""payments""}"',
                                                        '"{""team"": ""payments""}'), LINE_2),
    "focus_not_csv.csv": "PK\x03\x04\x00\x00binary zip content\x00\x00",
    "focus_not_parquet.parquet": bill(LINE_1, LINE_2),
    "focus_bill.json": '{"BilledCost": 1}\n',
}


def main() -> None:
    for name, text in FILES.items():
        (HERE / name).write_text(text, encoding="utf-8")
    whole = gzip.compress(bill(LINE_1, LINE_2).encode() * 50)
    (HERE / "focus_truncated.csv.gz").write_bytes(whole[: len(whole) // 2])


if __name__ == "__main__":
    main()
