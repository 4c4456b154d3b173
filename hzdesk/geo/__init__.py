"""Geometry for the register and the patrol tracks (#17): coordinates, files, track checks.

Plain functions over lists of (lon, lat) in WGS-84 — no GIS library: the township is small enough
for a local projection, and the checks are measured fast enough in pure Python
(`../shared/notes/map-and-tracks.md`).
"""
