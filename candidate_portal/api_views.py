"""JSON for the pages and for integrations: school and major search, and the work-unit picker."""
from __future__ import annotations

from flask import jsonify, request

from candidate_portal.blueprint import bp
from core.services import majors, schools
from core.validators import row_id


@bp.get("/api/schools")
def api_schools():
    """GET /api/schools?q=bjdx -> [{id, name, code, province, level}] (at most 10, best first)."""
    found = schools.search_schools(request.args.get("q", ""))
    response = jsonify([schools.school_json(s) for s in found])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/api/majors")
def api_majors():
    """GET /api/majors?q=kqyx&level=本科 -> [{id, name, code, level, category}] (at most 10, best first)."""
    found = majors.search_majors(request.args.get("q", ""), request.args.get("level") or None)
    response = jsonify([majors.major_json(m) for m in found])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/api/work-units")
def api_work_units():
    """GET /api/work-units?q=&region= -> [{id, name, licence_code, region}] for the picker."""
    region = request.args.get("region", "")
    found = schools.search_work_units(request.args.get("q", ""), row_id(region))
    return jsonify([{"id": u.id, "name": u.name, "licence_code": u.licence_code,
                     "region_id": u.region_id} for u in found])
