"""The tier of a node from its 12-digit division code (DOMAIN.md §2), for the benchmark scripts'
reports: the first non-zero group from the right names it."""


def tier(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    if code[6:] == "0" * 6:
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"
