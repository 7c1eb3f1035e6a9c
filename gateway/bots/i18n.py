"""What the bots say, in English and Simplified Chinese: one catalogue per language, the same keys
in both (a test checks), so the engine never holds a sentence of its own."""

from __future__ import annotations

from babel import Locale

EN = "en"
ZH = "zh-Hans"
LANGUAGES = (EN, ZH)
LANGUAGE_NAMES = {EN: "English", ZH: "中文"}

_CATALOGUES: dict[str, dict[str, str]] = {
    EN: {
        "ask_name": "Hi! I help you send money home. What is your full name, as on your ID?",
        "bad_name": "Please send your full name in letters only, e.g. Ana Reyes.",
        "ask_country": "Which country do you live in? Send its name or code, e.g. US.",
        "bad_country": "I don't know that country. Send its name or 2-letter code, e.g. US.",
        "registered": "Thanks, {name}! Your account is ready. KYC: {kyc}.\nTry: send 100 USD to PH",
        "help": "Send money in one line: send 100 USD to PH\n"
        "Or just write: send\n"
        "/status latest transfer · /history recent transfers\n"
        "/cancel stop · /report an error · /verify raise your limits\n"
        "/language English/中文",
        "not_understood": "Sorry, I didn't get that. Try: send 100 USD to PH, or /help.",
        "ask_destination": "Where to? Send a country, e.g. PH.\nWe send to: {countries}.",
        "unsupported_country": "We don't send to {country} yet. We send to: {countries}.",
        "unsupported_currency": "To {country} we send from {currencies}, not {currency}.",
        "not_from_your_country": "We cannot send to {country} from {home}, where you live.",
        "ask_amount": "How much do you want to send, in {currency}? ({min} to {max})",
        "bad_amount": "Please send the amount as a number, e.g. 100 or 100.50.",
        "amount_not_positive": "The amount must be more than zero.",
        "amount_range": "You can send between {min} and {max} {currency} at a time.",
        "ask_method": "How should the money arrive in {country}?",
        "ask_saved": "Send to a saved recipient, or someone new?",
        "btn_new_recipient": "Someone new",
        "ask_field": "Recipient's {label}? e.g. {example}",
        "bad_field": "That {label} doesn't look right. Please check it and send it again, "
        "e.g. {example}.",
        "bad_recipient": "Those details don't match ({label}). Let's enter the recipient again.",
        "quote": "You send {send} (fee {fee} included)\n"
        "Rate: 1 {send_currency} = {rate} {receive_currency}\n"
        "{name} receives {receive}\n"
        "Valid for {seconds} s, until {until} UTC.",
        "quote_refreshed": "That quote expired, so here is a fresh one:",
        "disclosure": "Transfer amount: {transfer}\n"
        "Transfer fees: {fees}\n"
        "Transfer taxes: {taxes}\n"
        "Total: {total}\n"
        "Exchange rate: 1 {send_currency} = {rate} {receive_currency}\n"
        "Other fees (covered): {third_party}\n"
        "Total to recipient: {received}\n"
        "{statement}",
        "not_covered": "Transfers of {threshold} or less are not covered by {regime}.",
        "receipt": "Receipt for transfer {ref}, paid {paid_at} UTC\n"
        "{disclosure}\n"
        "Available to {name}{contact} by {available}.\n"
        "{cancel_text}\nCancel by {cancel_by} UTC.\n"
        "{error_text}\nReport errors by {report_by}.\n"
        "{provider}: {provider_phone}, {provider_website}\n"
        "Regulator: {regulators}",
        "btn_confirm": "Confirm",
        "btn_cancel": "Cancel",
        "tap_confirm": "Tap Confirm to send, or Cancel.",
        "sent": "Transfer {ref} created: {send} to {name}.",
        "funding_wallet": "We take {send} from your wallet (balance {balance}). "
        "I'll message you when it arrives.",
        "funding_bank": "Your wallet has {balance}, not enough for {send}: the transfer is "
        "waiting for your bank transfer. I'll send you the account and the reference now.",
        "push_payin": "To fund transfer {ref}, pay {amount} by bank transfer before {until} UTC.\n"
        "Bank: {bank}\nBeneficiary: {beneficiary}\nAccount: {account}\n"
        "Reference: {reference} (write it exactly, so we can match your payment).",
        "sample_rates": "Note: sample rates, not market data (demo).",
        "already_confirmed": "You already confirmed this transfer ({ref}). It is sent only once.",
        "stale_button": "That button is no longer active.",
        "cancelled_draft": "Cancelled. Nothing was sent.",
        "cancelled_remittance": "Transfer {ref} is cancelled. Nothing was sent.",
        "cancel_requested": "Transfer {ref} is being cancelled: everything you paid, fee "
        "included, goes back to your wallet.",
        "nothing_to_cancel": "There is nothing to cancel.",
        "cannot_cancel": "Transfer {ref} can't be cancelled any more: it is {status}.",
        "no_transfers": "You haven't sent anything yet. Try: send 100 USD to PH",
        "status_line": "{ref} · {send} → {receive} · {status}",
        "history_header": "Your recent transfers:",
        "limit_exceeded": "That is above your sending limit. Please try a smaller amount.",
        "rate_limited": "You're sending messages too fast. Please wait a minute.",
        "error": "Something went wrong on our side. Please try again in a moment.",
        "pick_language": "Choose your language:",
        "language_set": "OK, I'll write in English.",
        "kyc_accepted": "phone verified, tier {tier}: up to {limit} USD per transfer",
        "kyc_other": "not verified yet",
        "ask_phone": "Please share your phone number with the button below: it has to come "
        "from your own Telegram account (typing it is not enough).",
        "btn_share_phone": "Share my phone number",
        "phone_not_own": "That is someone else's contact. Please share your own number with "
        "the button.",
        "phone_needed": "Before you can send, your phone number must be verified. Tap the "
        "button to share it.",
        "kyc_status": "KYC: tier {tier}, up to {limit} USD per transfer.",
        "kyc_review_open": "Your documents for {sought} are being checked. I'll tell you the "
        "result.",
        "kyc_top": "You are at the highest tier ({tier}).",
        "kyc_ask_field": "For the next tier ({sought}), please send your {label}.",
        "kyc_ask_document": "For the next tier ({sought}), please send a photo of your {label}.",
        "kyc_bad_field": "That {label} doesn't look right. Please send it again.",
        "kyc_submitted": "Thanks! Your documents for {sought} are being checked. I'll tell you "
        "the result.",
        "push_kyc_approved": "Your identity check was approved: you are now at tier {tier}, "
        "up to {limit} USD per transfer.",
        "push_kyc_rejected": "Your identity check for {sought} was not approved. You can still "
        "send up to {limit} USD per transfer (tier {tier}). Send /verify to try again.",
        "push_on_hold": "Transfer {ref} is being reviewed by our compliance team. "
        "We'll message you when it moves on.",
        "push_paid_out": "Transfer {ref} has arrived: {receive} paid out. 🎉",
        "chain_line": "Settled on chain: {amount} {coin} to the payout partner, transaction "
        "{tx_hash} (log {log_index}).",
        "push_refunded": "Transfer {ref} could not be paid out. {send} was refunded to your "
        "wallet.",
        "push_rejected": "Transfer {ref} was declined. No money was taken.",
        "push_expired": "Transfer {ref} expired: the money didn't arrive in time. "
        "Send it again for a new quote.",
        "push_requote": "Transfer {ref} was approved, but its quote lapsed meanwhile. Here is a "
        "new quote for the same amount:",
        "push_requote_lapsed": "The quote for transfer {ref} lapsed before it could go on. Here "
        "is a new quote for the same amount:",
        "requote_status": "Transfer {ref} is waiting for you to accept a new quote:",
        "requote_refreshed": "That quote expired, so here is a fresh one for transfer {ref}:",
        "tap_accept": "Tap Accept to go on with this quote, or Cancel to cancel transfer {ref}.",
        "btn_accept": "Accept",
        "requote_accepted": "Thanks! Transfer {ref} goes on with the new quote: {name} receives "
        "{receive}.",
        "requote_gone": "Transfer {ref} no longer needs a new quote: it is {status}.",
        "requote_later": "The quote for transfer {ref} lapsed and we cannot price a new one right "
        "now. Send /status in a while to get it, or /cancel.",
        "ask_error_kind": "What went wrong with transfer {ref}?",
        "btn_err_wrong_amount": "Wrong amount",
        "btn_err_not_received": "Not received",
        "btn_err_late": "Late",
        "ask_error_text": "Please tell us what happened, in a few words.",
        "error_reported": "Thanks. Your report on transfer {ref} is case {case}. We will "
        "acknowledge it by {ack} UTC and tell you the outcome here.",
        "report_not_paid": "Transfer {ref} is not paid yet, so there is nothing to report. "
        "Use /cancel or /status.",
        "report_window_closed": "Errors on transfer {ref} had to be reported by {last_day}.",
        "nothing_to_report": "You have no transfers to report on.",
        "error_outcome_refund": "Your error report on transfer {ref} is resolved: {amount} was "
        "refunded to your wallet. {finding}",
        "error_outcome_resend": "Your error report on transfer {ref} is resolved: we are sending "
        "{receive} again at no cost to you (transfer {new_ref}). {finding}",
        "error_outcome_no_error": "Your error report on transfer {ref} is resolved: we found no "
        "error. {finding} You can ask us for the documents we relied on.",
        "push_travel_rule": "Transfer {ref} is on hold: the law ({rule}) requires your {fields} "
        "with a transfer of this size. Please reply with your {first}.",
        "travel_supplied": "Thanks. Transfer {ref} goes on; I'll message you when it moves.",
        "travel_next": "Thanks. Now please send your {label}.",
        "travel_bad": "That doesn't look right. Please send your {label} again.",
        "travel_address": "home address (street, city, postcode)",
        "travel_id_number": "ID document number",
        "travel_birth_date": "date of birth (YYYY-MM-DD)",
        "travel_birth_place": "place of birth",
        "offer_cancel": "You can still cancel transfer {ref} for a full refund, fee included, "
        "until {until} UTC.",
        "btn_cancel_transfer": "Cancel transfer",
        "cancel_window_closed": "Transfer {ref} can't be cancelled any more: the window closed "
        "at {until} UTC.",
    },
    ZH: {
        "ask_name": "您好！我帮您往家里汇款。请告诉我您证件上的全名。",
        "bad_name": "请只用文字发送您的全名，例如：Ana Reyes。",
        "ask_country": "您住在哪个国家？请发送国家名称或代码，例如：US。",
        "bad_country": "我不认识这个国家。请发送国家名称或两位字母代码，例如：US。",
        "registered": "谢谢，{name}！您的账户已开通。身份验证：{kyc}。\n"
        "试试：发送 100 USD 到 菲律宾",
        "help": "一句话汇款：发送 100 USD 到 菲律宾\n"
        "或者只写：发送\n"
        "/status 最近一笔 · /history 汇款记录\n"
        "/cancel 取消 · /report 报告差错 · /verify 提高限额\n"
        "/language English/中文",
        "not_understood": "抱歉，我没看懂。试试：发送 100 USD 到 菲律宾，或发送 /help。",
        "ask_destination": "汇到哪里？请发送国家，例如：菲律宾。\n可汇往：{countries}。",
        "unsupported_country": "暂不支持汇往{country}。可汇往：{countries}。",
        "unsupported_currency": "汇往{country}可用 {currencies} 付款，不支持 {currency}。",
        "not_from_your_country": "您居住在{home}，暂不能从那里汇款到{country}。",
        "ask_amount": "您要汇多少 {currency}？（{min} 至 {max}）",
        "bad_amount": "请用数字发送金额，例如：100 或 100.50。",
        "amount_not_positive": "金额必须大于零。",
        "amount_range": "每笔可汇 {min} 至 {max} {currency}。",
        "ask_method": "收款人在{country}以什么方式收款？",
        "ask_saved": "汇给已保存的收款人，还是新的收款人？",
        "btn_new_recipient": "新收款人",
        "ask_field": "收款人的{label}？例如：{example}",
        "bad_field": "这个{label}好像不对。请检查后重新发送，例如：{example}。",
        "bad_recipient": "收款信息不一致（{label}）。请重新填写收款人。",
        "quote": "您支付 {send}（含手续费 {fee}）\n"
        "汇率：1 {send_currency} = {rate} {receive_currency}\n"
        "{name} 收到 {receive}\n"
        "报价有效 {seconds} 秒，至 UTC {until}。",
        "quote_refreshed": "之前的报价已过期，这是新的报价：",
        "disclosure": "汇款金额：{transfer}\n"
        "汇款手续费：{fees}\n"
        "汇款税款：{taxes}\n"
        "合计：{total}\n"
        "汇率：1 {send_currency} = {rate} {receive_currency}\n"
        "其他费用（已包含）：{third_party}\n"
        "收款人实收：{received}\n"
        "{statement}",
        "not_covered": "{threshold} 及以下的汇款不受 {regime} 保护。",
        "receipt": "汇款 {ref} 收据，付款时间 UTC {paid_at}\n"
        "{disclosure}\n"
        "{name}{contact}最迟可于 {available} 领取。\n"
        "{cancel_text}\n取消截止 UTC {cancel_by}。\n"
        "{error_text}\n差错申报截止 {report_by}。\n"
        "{provider}：{provider_phone}，{provider_website}\n"
        "监管机构：{regulators}",
        "btn_confirm": "确认",
        "btn_cancel": "取消",
        "tap_confirm": "请点“确认”汇款，或点“取消”。",
        "sent": "已创建汇款 {ref}：{send} 汇给 {name}。",
        "funding_wallet": "将从您的钱包扣除 {send}（余额 {balance}）。到账后我会通知您。",
        "funding_bank": "您的钱包余额为 {balance}，不足 {send}：这笔汇款正在等待您的银行转账。"
        "我马上把收款账户和参考号发给您。",
        "push_payin": "请在 UTC {until} 前通过银行转账支付 {amount}，为汇款 {ref} 付款。\n"
        "银行：{bank}\n收款人：{beneficiary}\n账号：{account}\n"
        "参考号：{reference}（请准确填写，以便我们匹配您的付款）。",
        "sample_rates": "注意：示例汇率，并非市场数据（演示）。",
        "already_confirmed": "您已确认过这笔汇款（{ref}），不会重复汇出。",
        "stale_button": "这个按钮已失效。",
        "cancelled_draft": "已取消，没有汇出任何款项。",
        "cancelled_remittance": "汇款 {ref} 已取消，没有汇出任何款项。",
        "cancel_requested": "正在取消汇款 {ref}：您支付的全部款项（含手续费）将退回您的钱包。",
        "nothing_to_cancel": "没有可以取消的内容。",
        "cannot_cancel": "汇款 {ref} 已无法取消：{status}。",
        "no_transfers": "您还没有汇过款。试试：发送 100 USD 到 菲律宾",
        "status_line": "{ref} · {send} → {receive} · {status}",
        "history_header": "您最近的汇款：",
        "limit_exceeded": "超出了您的汇款限额，请试试较小的金额。",
        "rate_limited": "您发送消息太快了，请稍等一分钟。",
        "error": "我们这边出了点问题，请稍后再试。",
        "pick_language": "请选择语言：",
        "language_set": "好的，我会用中文回复。",
        "kyc_accepted": "手机号已验证，等级 {tier}：每笔最多 {limit} 美元",
        "kyc_other": "尚未验证",
        "ask_phone": "请用下面的按钮分享您的手机号：它必须来自您自己的 Telegram 账户"
        "（手动输入无效）。",
        "btn_share_phone": "分享我的手机号",
        "phone_not_own": "这是别人的联系人。请用按钮分享您自己的号码。",
        "phone_needed": "汇款前需要先验证您的手机号。请点按钮分享。",
        "kyc_status": "身份验证：等级 {tier}，每笔最多 {limit} 美元。",
        "kyc_review_open": "您提交的 {sought} 资料正在审核，结果出来后我会通知您。",
        "kyc_top": "您已是最高等级（{tier}）。",
        "kyc_ask_field": "升级到下一等级（{sought}），请发送您的{label}。",
        "kyc_ask_document": "升级到下一等级（{sought}），请发送您的{label}的照片。",
        "kyc_bad_field": "这个{label}好像不对，请重新发送。",
        "kyc_submitted": "谢谢！您提交的 {sought} 资料正在审核，结果出来后我会通知您。",
        "push_kyc_approved": "您的身份验证已通过：现在是等级 {tier}，每笔最多 {limit} 美元。",
        "push_kyc_rejected": "您的 {sought} 身份验证未通过。您仍可按等级 {tier} 每笔最多汇 {limit} "
        "美元。发送 /verify 可重新提交。",
        "push_on_hold": "汇款 {ref} 正在由合规团队审核，有进展时我会通知您。",
        "push_paid_out": "汇款 {ref} 已到账：已支付 {receive}。🎉",
        "chain_line": "链上结算：{amount} {coin} 已付给收款合作方，"
        "交易 {tx_hash}（日志 {log_index}）。",
        "push_refunded": "汇款 {ref} 未能支付，{send} 已退回您的钱包。",
        "push_rejected": "汇款 {ref} 被拒绝，没有扣款。",
        "push_expired": "汇款 {ref} 已过期：款项未按时到账。请重新发送以获取新报价。",
        "push_requote": "汇款 {ref} 已通过审核，但报价在此期间已失效。以下是相同金额的新报价：",
        "push_requote_lapsed": "汇款 {ref} 的报价在继续处理前已失效。以下是相同金额的新报价：",
        "requote_status": "汇款 {ref} 正在等待您接受新报价：",
        "requote_refreshed": "之前的报价已过期，这是汇款 {ref} 的新报价：",
        "tap_accept": "点“接受”按此报价继续，或点“取消”取消汇款 {ref}。",
        "btn_accept": "接受",
        "requote_accepted": "谢谢！汇款 {ref} 将按新报价继续：{name} 收到 {receive}。",
        "requote_gone": "汇款 {ref} 已不需要新报价：{status}。",
        "requote_later": "汇款 {ref} 的报价已失效，目前无法提供新报价。请稍后发送 /status 获取，"
        "或发送 /cancel。",
        "ask_error_kind": "汇款 {ref} 出了什么问题？",
        "btn_err_wrong_amount": "金额不对",
        "btn_err_not_received": "未收到",
        "btn_err_late": "延迟到账",
        "ask_error_text": "请简单描述发生了什么。",
        "error_reported": "谢谢。您对汇款 {ref} 的报告编号为 {case}。我们将在 UTC {ack} 前确认，"
        "并在这里告诉您处理结果。",
        "report_not_paid": "汇款 {ref} 尚未付款，没有可报告的差错。请使用 /cancel 或 /status。",
        "report_window_closed": "汇款 {ref} 的差错须在 {last_day} 前报告。",
        "nothing_to_report": "您没有可报告的汇款。",
        "error_outcome_refund": "您对汇款 {ref} 的差错报告已处理：{amount} 已退回您的钱包。"
        "{finding}",
        "error_outcome_resend": "您对汇款 {ref} 的差错报告已处理：我们将免费重新汇出 {receive}"
        "（汇款 {new_ref}）。{finding}",
        "error_outcome_no_error": "您对汇款 {ref} 的差错报告已处理：我们未发现差错。{finding}"
        "您可以向我们索取相关文件。",
        "push_travel_rule": "汇款 {ref} 暂停处理：按照法规（{rule}），"
        "此金额的汇款须提供您的{fields}。请回复您的{first}。",
        "travel_supplied": "谢谢。汇款 {ref} 将继续处理，有进展时我会通知您。",
        "travel_next": "谢谢。现在请发送您的{label}。",
        "travel_bad": "这个信息好像不对。请重新发送您的{label}。",
        "travel_address": "住址（街道、城市、邮编）",
        "travel_id_number": "证件号码",
        "travel_birth_date": "出生日期（YYYY-MM-DD）",
        "travel_birth_place": "出生地",
        "offer_cancel": "在 UTC {until} 前，您仍可取消汇款 {ref}，并获得全额退款（含手续费）。",
        "btn_cancel_transfer": "取消汇款",
        "cancel_window_closed": "汇款 {ref} 已无法取消：取消期限已于 UTC {until} 结束。",
    },
}

# How each remittance state reads to a sender (several states read the same).
_STATUS_WORDS: dict[str, dict[str, str]] = {
    EN: {
        "checking": "being checked",
        "on_hold": "under review",
        "awaiting_funds": "waiting for your money",
        "on_its_way": "on its way",
        "paid_out": "paid out",
        "refunded": "refunded",
        "rejected": "declined",
        "expired": "expired",
        "cancelled": "cancelled",
        "requote": "needs a new quote",
    },
    ZH: {
        "checking": "审核中",
        "on_hold": "合规审核中",
        "awaiting_funds": "等待付款",
        "on_its_way": "汇款途中",
        "paid_out": "已到账",
        "refunded": "已退款",
        "rejected": "已拒绝",
        "expired": "已过期",
        "cancelled": "已取消",
        "requote": "需要新报价",
    },
}
STATUS_GROUP = {
    "created": "checking",
    "screening": "checking",
    "approved": "checking",
    "needs_info": "on_hold",
    "on_hold": "on_hold",
    "withdrawing": "on_hold",
    "quoted": "awaiting_funds",
    "awaiting_funds": "awaiting_funds",
    "funded": "on_its_way",
    "converted": "on_its_way",
    "in_transit": "on_its_way",
    "payout_pending": "on_its_way",
    "payout_unknown": "on_its_way",
    "failed": "on_its_way",
    "paid_out": "paid_out",
    "refunded": "refunded",
    "rejected": "rejected",
    "expired": "expired",
    "cancelled": "cancelled",
    "requote": "requote",
}

# Recipient field labels by corridors.recipients key; English falls back to the corridor's own.
_FIELD_LABELS: dict[str, dict[str, str]] = {
    EN: {"name": "full name", "phone": "mobile wallet number"},
    ZH: {
        "name": "全名",
        "phone": "手机钱包号码",
        "wallet_provider": "钱包",
        "clabe": "CLABE 账号（18 位）",
        "ifsc": "IFSC 代码",
        "account_number": "账号",
        "vpa": "UPI ID",
        "bank_code": "银行代码",
        "iban": "IBAN",
        "bic": "BIC / SWIFT",
    },
}
# KYC field and tier labels (tiers.toml keys); English falls back to the field's description.
_KYC_LABELS: dict[str, dict[str, str]] = {
    EN: {
        "birth_date": "date of birth (YYYY-MM-DD)",
        "address": "residential address",
        "id_type": "ID document type (passport, drivers_license or id_card)",
        "id_number": "ID document number",
        "id_country_code": "ID issuing country (3 letters, e.g. USA)",
        "photo_id_front": "ID document (front)",
        "occupation": "occupation",
        "source_of_funds": "source of funds (salary, savings, business, ...)",
        "proof_of_address": "proof of address (utility bill, bank statement)",
    },
    ZH: {
        "birth_date": "出生日期（YYYY-MM-DD）",
        "address": "居住地址",
        "id_type": "证件类型（passport、drivers_license 或 id_card）",
        "id_number": "证件号码",
        "id_country_code": "证件签发国（3 个字母，例如 CHN）",
        "photo_id_front": "证件（正面）",
        "occupation": "职业",
        "source_of_funds": "资金来源（工资、储蓄、经营等）",
        "proof_of_address": "地址证明（水电账单、银行对账单）",
        "first_name": "名",
        "last_name": "姓",
        "mobile_number": "手机号",
        "phone_verified": "手机已验证",
        "id_verified": "证件已验证",
        "enhanced": "增强验证",
    },
}
_METHODS: dict[str, dict[str, str]] = {
    EN: {
        "mobile_wallet": "Mobile wallet",
        "bank_account": "Bank account",
        "upi": "UPI",
        "sepa": "Bank (SEPA)",
        "cash_pickup": "Cash pick-up",
    },
    ZH: {
        "mobile_wallet": "手机钱包",
        "bank_account": "银行账户",
        "upi": "UPI",
        "sepa": "银行（SEPA）",
        "cash_pickup": "现金自取",
    },
}
_BABEL = {EN: "en", ZH: "zh_Hans"}


def pick_language(client_code: str | None) -> str:
    """The user's client language, if we speak it; English otherwise."""
    code = (client_code or "").lower()
    return ZH if code.startswith("zh") else EN


def t(lang: str, key: str, **values: object) -> str:
    return _CATALOGUES.get(lang, _CATALOGUES[EN])[key].format(**values)


def keys(lang: str) -> set[str]:
    return set(_CATALOGUES[lang])


def status_word(lang: str, status: str) -> str:
    return _STATUS_WORDS[lang][STATUS_GROUP.get(status, "on_its_way")]


def field_label(lang: str, key: str, default: str) -> str:
    return _FIELD_LABELS[lang].get(key, default.lower() if lang == EN else default)


def kyc_label(lang: str, key: str, default: str | None = None) -> str:
    """A KYC field's or tier's name for the sender (tier names stay as configured in English)."""
    return _KYC_LABELS[lang].get(key, default or key)


def method_name(lang: str, method: str) -> str:
    return _METHODS[lang].get(method, method)


def country_name(lang: str, code: str) -> str:
    return Locale.parse(_BABEL[lang]).territories.get(code, code)
