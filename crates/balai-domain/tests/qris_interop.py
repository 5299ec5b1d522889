"""The other side of tests/qris_interop.rs: QRIS payloads built and read by the `qriskit` package.

    python3 qris_interop.py build < cases.json    payloads qriskit builds for the given bills
    python3 qris_interop.py check < payloads.json what qriskit reads in the given payloads
    python3 qris_interop.py others                codes of other shapes qriskit makes

Reads and writes JSON. Exits with status 3 when qriskit is not installed.
"""

import json
import sys

try:
    import qriskit
except ImportError as e:
    print(f"qriskit is not installed ({e})", file=sys.stderr)
    sys.exit(3)


def reading(payload):
    """What qriskit reads in a payload, and every rule it finds broken."""
    qris = qriskit.parse(payload)
    issues = [{"code": i.code, "severity": i.severity, "path": i.path} for i in qriskit.validate(qris)]
    summary = qris.to_dict()
    return {
        "payload": payload,
        "valid": qriskit.is_valid(payload),
        "issues": issues,
        "dynamic": qris.is_dynamic,
        "nmid": qris.nmid,
        "criteria": qris.national.criteria if qris.national else None,
        "guid": qris.national.guid if qris.national else None,
        "mcc": qris.mcc,
        "currency": qris.currency,
        "amount": summary["amount"],
        "country": qris.country,
        "name": qris.merchant_name,
        "city": qris.merchant_city,
        "postal_code": qris.postal_code,
        "bill_number": qris.additional_data.bill_number,
        "crc": qris.crc,
        # The payload with its CRC computed by qriskit.
        "resealed": qris.dumps(),
        "tags": [node.tag for node in qris.nodes],
    }


def build(case):
    qris = qriskit.build(
        merchant_name=case["name"],
        merchant_city=case["city"],
        mcc=case["mcc"],
        postal_code=case["postal_code"],
        accounts=[qriskit.MerchantAccount.national(nmid=case["nmid"], criteria=case["criteria"])],
        amount=case["amount"],
        additional_data={"01": case["bill_number"]},
    )
    return qris.dumps()


def others():
    """Codes not shaped like ours: a static sticker with a second account and a terminal label, the
    same made dynamic by qriskit (amount in decimals, a reference label), and tags out of order."""
    static = qriskit.build(
        merchant_name="WARUNG BU SRI",
        merchant_city="BANTUL",
        mcc="5499",
        postal_code="55711",
        accounts=[
            qriskit.MerchantAccount.create(tag="26", guid="COM.EXAMPLE.WWW", pan="936000140000012345"),
            qriskit.MerchantAccount.national(nmid="ID2020012345678", criteria="UMI"),
        ],
        additional_data={"07": "T01"},
    )
    dynamic = static.to_dynamic("25000.00", reference="REF123")
    with_bill = dynamic.with_tag("62.01", "20261205001")
    # 00 first and 63 last (qriskit reseals), everything between in reverse order.
    nodes = with_bill.nodes
    reordered = qriskit.QRIS((nodes[0], *reversed(nodes[1:-1]), nodes[-1]))
    # A fraction of a rupiah: qriskit accepts it, rupiah bills never have one.
    cents = static.to_dynamic("25000.50")
    return {
        "static": static.dumps(),
        "dynamic": dynamic.dumps(),
        "with_bill": with_bill.dumps(),
        "reordered": reordered.dumps(),
        "cents": cents.dumps(),
    }


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "build":
        out = [build(case) for case in json.load(sys.stdin)]
    elif mode == "check":
        out = [reading(payload) for payload in json.load(sys.stdin)]
    elif mode == "others":
        out = {label: reading(payload) for label, payload in others().items()}
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
