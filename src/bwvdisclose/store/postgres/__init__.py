"""The case store on PostgreSQL (psycopg 3).

connect.py  store URLs, TLS off this machine by default, connection errors in one line
schema.py   migrations forward by version (sql/NNN_name.sql), roles and grants, `store init`
"""
