"""The same day's summary computed by DuckDB, for comparison in BENCHMARKS.md (not part of `make bench`,
which must not depend on DuckDB). usage: python3 scripts/bench-duckdb.py REPORT.csv.gz PLAIN_BYTES"""
import sys
import time

import duckdb

report, plain_bytes = sys.argv[1], int(sys.argv[2])
con = duckdb.connect()
started = time.perf_counter()
con.execute(f"""
    create temp table r as select * from read_csv('{report}', all_varchar = true, header = true)
""")
counted = ["action", "status", '"request.countrycode"', '"location.isp"', '"account.authsystemname"',
           '"account.type"', '"account.status"', '"account.organisation"', '"attribute.department"',
           '"attribute.role"', '"attribute.CostCentre"']
for column in counted:
    con.execute(f"select {column}, count(*) from r group by 1").fetchall()
con.execute("select action, status, count(*) from r group by 1, 2").fetchall()
con.execute("""select count(distinct "account.accountid"), count(distinct "request.ipaddress") from r""").fetchall()
con.execute("""select "attribute.resourceid", count(*), count(*) filter (where status = 'FAILURE_RESTRICTIVE'),
               last("attribute.resourcetitle" order by rowid) from r
               where action in ('FEDERATED_TRANSFER', 'LOCAL_FEDERATED_TRANSFER') group by 1""").fetchall()
con.execute("""select unnest(string_split("account.permissionsets", ',')) as s, count(*) from r group by 1""").fetchall()
con.execute("select substr(date, 12, 2) as hour, count(*) from r group by 1").fetchall()
seconds = time.perf_counter() - started
threads = con.execute("select current_setting('threads')").fetchone()[0]
print(f"duckdb  {seconds:7.3f} s  {plain_bytes / seconds / 1e6:6.1f} MB/s  (DuckDB {duckdb.__version__}, {threads} threads)")
