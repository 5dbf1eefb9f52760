"""What the LINE chat says, Thai first and English second, in one place.

Every key has both languages (a test checks it). Messages put the Thai text first and the
English below it, so one message serves both readers; LINE shows no language switch.
"""

from __future__ import annotations

from typing import Any

# PDPA: what the chat keeps beyond what the service's consent text (per purpose) says.
CONSENT_LINE = (
    "ในแชตนี้ สถานีตำรวจเก็บรหัสผู้ใช้ LINE ของท่านไว้เพื่อตอบกลับและแจ้งผลทาง LINE "
    "เลิกติดตามบัญชีนี้เมื่อใดก็ได้ ข้อมูลการติดต่อทาง LINE จะถูกลบ",
    "In this chat the police station keeps your LINE user id to answer you and tell you "
    "the outcome on LINE. Unfollow this account at any time to have it deleted.",
)

TEXTS: dict[str, tuple[str, str]] = {
    "consent_ask": ("กรุณาอ่านและกดยินยอมก่อนส่งเรื่อง", "Please read and accept before sending."),
    "consent_accept": ("ยินยอม", "Accept"),
    "consent_decline": ("ไม่ยินยอม", "Decline"),
    "not_kept": ("ข้อความนี้ยังไม่ได้ถูกเก็บไว้ กดยินยอมแล้วส่งใหม่อีกครั้ง",
                 "This message was not kept: accept, then send it again."),
    "declined": ("รับทราบ เราไม่ได้เก็บข้อมูลใด ๆ ของท่าน หากมีเหตุฉุกเฉินโทร 191",
                 "Understood: nothing of yours is kept. In an emergency call 191."),
    "welcome": ("ขอบคุณ ท่านส่งข้อความ รูปภาพ หรือตำแหน่ง เพื่อแจ้งเรื่องได้เลย "
                "หรือเลือกจากเมนูด้านล่าง",
                "Thank you. Send a message, photo or location to report, or use the menu "
                "below."),
    "emergency": ("หากอยู่ในอันตราย โทร 191 ทันที กดปุ่ม \"ส่งตำแหน่ง\" "
                  "เพื่อให้ตำรวจไปหาท่าน",
                  "If you are in danger call 191 now. Tap \"Send location\" so police can "
                  "come to you."),
    "emergency_opened": ("ได้รับแจ้งเหตุฉุกเฉินแล้ว เลขที่ {code} เจ้าหน้าที่กำลังดำเนินการ "
                         "หากโทรได้ โทร 191",
                         "Emergency received, ticket {code}. Officers are on it. If you can, "
                         "call 191."),
    "report": ("เลือกประเภทเรื่อง แล้วส่งรายละเอียด รูปภาพ และตำแหน่ง",
               "Choose what it is about, then send the details, photos and location."),
    "category_set": ("ประเภท: {category} ส่งรายละเอียด รูปภาพ และตำแหน่งได้เลย",
                     "Category: {category}. Now send the details, photos and location."),
    "report_opened": ("รับแจ้งแล้ว เลขที่ {code} ข้อความ รูปภาพ หรือตำแหน่งที่ส่งภายใน 30 นาที "
                      "จะรวมอยู่ในเรื่องนี้",
                      "Received, ticket {code}. Messages, photos or locations sent within "
                      "30 minutes join this report."),
    "added": ("เพิ่มในเรื่อง {code} แล้ว", "Added to {code}."),
    "ask_location": ("ส่งตำแหน่งเพื่อให้เรื่องถึงสถานีที่รับผิดชอบ",
                     "Send the location so the report reaches the right station."),
    "tip": ("พิมพ์เบาะแสของท่าน เราจะไม่เก็บว่าท่านเป็นใคร",
            "Type your tip. We do not keep who you are."),
    "tip_opened": ("ได้รับเบาะแสแล้ว เลขที่ {code} รหัสติดตามผล (ใช้ได้ครั้งเดียว): {followup} "
                   "เก็บรหัสนี้ไว้ เราไม่ได้เก็บว่าท่านเป็นใคร",
                   "Tip received, ticket {code}. Follow-up code (works once): {followup}. "
                   "Keep it: we do not keep who you are."),
    "station": ("ส่งตำแหน่งเพื่อหาสถานีตำรวจที่รับผิดชอบพื้นที่",
                "Send a location to find the police station for that place."),
    "station_card": ("{name_th}\nโทร {phone}", "{name_en}\nPhone {phone}"),
    "no_tickets": ("ยังไม่มีเรื่องที่แจ้งทาง LINE", "No tickets sent from LINE yet."),
    "tickets": ("เรื่องของท่าน", "Your tickets"),
    "photo_too_large": ("รูปภาพใหญ่เกินไป (ไม่เกิน {mb} MB) ไม่ได้เก็บไว้",
                        "The photo is too large (at most {mb} MB): it was not kept."),
    "photo_refused": ("รับได้เฉพาะรูปภาพ JPEG หรือ PNG ที่ถ่ายส่งใน LINE ไม่ได้เก็บไว้",
                      "Only JPEG or PNG photos sent in LINE are accepted: it was not kept."),
    "photo_failed": ("ดาวน์โหลดรูปภาพไม่สำเร็จ กรุณาส่งใหม่",
                     "The photo could not be downloaded: please send it again."),
    "unsupported": ("รับได้เฉพาะข้อความ รูปภาพ และตำแหน่ง",
                    "Only text, photos and locations can be sent."),
    "failed": ("ขออภัย ระบบรับเรื่องนี้ไม่สำเร็จ กรุณาลองใหม่ หากมีเหตุฉุกเฉินโทร 191",
               "Sorry, this could not be taken: please try again. In an emergency call 191."),
    "too_many": ("ส่งข้อความถี่เกินไป กรุณารอสักครู่ ข้อความช่วงนี้ไม่ได้ถูกเก็บไว้ "
                 "หากมีเหตุฉุกเฉินโทร 191",
                 "Too many messages: please wait a moment. Messages sent now are not kept. "
                 "In an emergency call 191."),
    "status": ("เรื่อง {code}: {status_th}", "Ticket {code}: {status_en}"),
    "disposition": ("ผล: {th}", "Outcome: {en}"),
    "officer": ("ข้อความจากเจ้าหน้าที่ เรื่อง {code}", "From the officer, ticket {code}"),
    "answer_here": ("ตอบกลับในแชตนี้ได้เลย", "You can answer in this chat."),
    "closed_new": ("เรื่องเดิมปิดแล้ว จึงเปิดเรื่องใหม่", "The earlier ticket is closed, so a new "
                   "one was opened."),
    "link": ("ติดตามสถานะ: {url}", "Status: {url}"),
    "send_location": ("ส่งตำแหน่ง", "Send location"),
    "photo_only": ("(รูปภาพจาก LINE)", "(photo from LINE)"),
    "location_only": ("(ตำแหน่งจาก LINE)", "(location from LINE)"),
    "location_text": ("ตำแหน่ง: {lat:.5f}, {lon:.5f}", "Location: {lat:.5f}, {lon:.5f}"),
    "lostdoc": ("แจ้งเอกสารหายออนไลน์ได้ที่แบบฟอร์มนี้ สถานีจะออกใบรับแจ้งพร้อม QR ตรวจสอบได้",
                "Report lost documents with this form: the station issues a certificate "
                "with a QR anyone can verify."),
    "poll": ("แบบสอบถามความปลอดภัยของชุมชน (ไม่ระบุตัวตน ตอบได้ครั้งละหนึ่งรอบ): "
             "ความรู้สึกปลอดภัย ความเชื่อมั่นต่อตำรวจ และสิ่งที่พื้นที่ต้องการ",
             "The People Poll (anonymous, one answer per round): how safe you feel, your "
             "confidence in police and what your area needs."),
    "followed": ("รับทราบ ท่านจะได้รับแจ้งความคืบหน้าของเรื่อง {code} ทาง LINE นี้",
                 "Done: you will hear about {code} on this LINE chat."),
    "follow_refused": ("รหัสติดตามไม่ถูกต้อง กรุณาตรวจสอบเลขเรื่องและรหัสจากหน้าคำขอ",
                       "That follow code is not right: check the request's code and pin "
                       "on its page."),
}
# Words that open the lost-document form instead of becoming a report (compared casefolded,
# spaces removed).
LOSTDOC_WORDS = frozenset({"แจ้งเอกสารหาย", "เอกสารหาย", "lostdocument", "lostdocuments"})
POLL_WORDS = frozenset({"แบบสอบถาม", "ทำแบบสอบถาม", "poll", "survey", "peoplepoll"})


def th(key: str, **values: Any) -> str:
    return TEXTS[key][0].format(**values)


def en(key: str, **values: Any) -> str:
    return TEXTS[key][1].format(**values)


def both(key: str, **values: Any) -> str:
    """Thai, a blank line, English: one LINE text bubble for both readers."""
    return f"{th(key, **values)}\n\n{en(key, **values)}"
