"""The fixed texts of 网上资格审核 that core shows the candidate (refusals of an upload, review states,
verdicts and reasons), listed for ``pybabel extract`` like ``i18n.CORE_TEXTS``; shown with the ``tr`` filter."""
from __future__ import annotations

from candidate_portal.i18n import N_

DOCUMENT_TEXTS = (
    N_('待补正'), N_('已补正待复审'), N_('逾期未补正待复审'),
    N_('待审核'), N_('通过'), N_('需补正'),
    N_('模糊不清'), N_('信息与填报不符'), N_('缺页或不完整'), N_('非本人证件'), N_('已过期'), N_('其他'),
    N_('PDF文件已加密或设有密码，请上传未加密的文件。'),
    N_('PDF文件已损坏或无法识别，请重新选择。'),
    N_('PDF文件没有页面，请重新选择。'),
    N_('PDF页面尺寸异常，无法处理，请重新扫描。'),
    N_('PDF文件包含脚本、附件或其他不允许的内容，请重新扫描或另存为普通PDF后上传。'),
    N_('上传的文件是空的（0字节），请重新选择。'),
    N_('只能上传JPG、PNG图片或PDF文件（按文件内容判断，改扩展名无效）。'),
    N_('图片文件已损坏或无法识别，请重新选择。'),
    N_('图片的像素尺寸异常，无法处理，请重新拍摄或扫描。'),
    N_('文件内容与图片格式不符，请重新保存为JPG或PNG后上传。'),
    N_('补正期限已过，不能再提交补正。审核人员将按未补正处理。'),
    N_('文件存储服务暂时不可用，材料未能保存，请稍后再试。'),
    N_('该材料已随报名提交，审核期间不能更换或删除；如审核人员要求补正，届时可以更换。'),
    # what to upload (core/documents/required.py KINDS)
    N_('身份证件（人像面）'), N_('身份证件（国徽面）'), N_('身份证件（证件页）'), N_('所在部队出具的现役军人证明'),
    N_('试用期考核证明（由工作单位出具）'), N_('毕业证书'), N_('教育部学历证书电子注册备案表'), N_('出师证或确有专长证明'),
    N_('住院医师规范化培训合格证书'), N_('在培证明'),
)
