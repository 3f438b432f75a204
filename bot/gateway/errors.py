"""Turn validation errors into field-level Chinese messages (422)."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from fastapi.responses import JSONResponse

_MESSAGES = {
    "value_error.missing": "缺少必填字段",
    "type_error.integer": "应为整数",
    "type_error.float": "应为数字",
    "type_error.bool": "应为 true 或 false",
    "type_error.str": "应为文本",
    "type_error.list": "应为列表",
    "type_error.dict": "应为对象",
    "value_error.jsondecode": "请求体不是合法的 JSON",
    "json_invalid": "请求体不是合法的 JSON",
    "value_error.any_str.min_length": "不能为空",
    "value_error.any_str.max_length": "过长",
    "value_error.number.not_ge": "不能小于下限",
    "value_error.number.not_gt": "应大于下限",
    "value_error.const": "取值不在允许范围内",
    "type_error.enum": "取值不在允许范围内",
    "value_error.date": "日期格式应为 YYYY-MM-DD",
}


def chinese_message(error: Dict[str, Any]) -> str:
    """A Chinese message for one pydantic error; our own validators already speak Chinese."""
    kind = error.get("type", "")
    if kind.startswith("value_error") and kind not in _MESSAGES:
        return str(error.get("msg", "取值无效"))
    return _MESSAGES.get(kind, str(error.get("msg", "取值无效")))


def validation_error_response(errors: Sequence[Dict[str, Any]]) -> JSONResponse:
    details: List[Dict[str, Any]] = []
    for error in errors:
        if error.get("type") == "json_invalid":
            details.append({"field": "body", "message": chinese_message(error)})
            continue
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        details.append({"field": ".".join(location) or "body", "message": chinese_message(error)})
    return JSONResponse(status_code=422, content={"detail": details})
