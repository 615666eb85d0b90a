"""What an irreversible action does, said before it is done: one text per action, shown by the browser's
dialog (``data-confirm``, static/js/confirm.js) and, without JavaScript, by the confirmation page the
action's view renders for a POST without ``confirm=1``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Assessment, Period


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "1"


def period_open_text(period: Period) -> str:
    return _(
        "Mở kỳ «%(period)s»?\n"
        "Mỗi đơn vị tham gia sẽ có bản tự đánh giá và bắt đầu tự chấm ngay; bộ chỉ số của kỳ bị khóa. "
        "Sau khi mở không đổi được bộ chỉ số và danh sách đơn vị tham gia, và không đưa kỳ về bước chuẩn bị được. "
        "Hệ thống không gửi thư báo: các đơn vị thấy bản tự đánh giá khi đăng nhập."
    ) % {"period": period.name}


def submit_text(assessment: Assessment) -> str:
    text = _(
        "Gửi bản tự đánh giá của %(agency)s tới Sở Nội vụ?\n"
        "Sau khi gửi, bản tự đánh giá chỉ xem được: không ai sửa được điểm, thuyết minh hay tài liệu kiểm chứng, "
        "và Sở Nội vụ nhận bản này để thẩm định."
    ) % {"agency": assessment.agency.name}
    deadline = assessment.self_assessment_deadline
    if deadline is not None:
        text += " " + _("Lãnh đạo đơn vị có thể rút lại để sửa trước hạn %(deadline)s.") % {
            "deadline": f"{timezone.localtime(deadline):%d/%m/%Y %H:%M}"
        }
    return text


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    ok_label: str,
    cancel_url: str,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    """The confirmation step for a browser that did not ask; nothing has been done yet. ``fields`` are
    posted again with the confirmation (what was typed with the action, e.g. a reason)."""
    return render(
        request,
        "assessments/confirm.html",
        {"title": title, "message": message, "ok_label": ok_label, "cancel_url": cancel_url, "fields": fields or {}},
    )
