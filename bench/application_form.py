"""Benchmark: 报名申请表 PDF — one form warm (target ≤ 0.3 s) and 1,000 forms into one PDF (≤ 100 s).

    .venv/bin/python bench/application_form.py [--forms 1000] [--chunk 100] [--workers 2]

No database needed: the forms are rendered from snapshots (schema v1) built here, with a photo.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from reports.application_form import application_form_pdf, forms_pdf  # noqa: E402

NAMES = ["王𠮷", "张三", "李四", "欧阳娜娜", "买买提·吐尔逊", "赵钱孙", "周吴郑", "冯陈褚"]


def snapshot(i: int) -> dict:
    return {
        "version": 1, "number": f"2027110{i:08d}",
        "exam_year": {"year": 2027, "name": "2027年医师资格考试"},
        "subject": {"code": "110", "name": "临床执业医师", "category": "临床", "level": "执业医师", "route": "学历"},
        "extra_units": ["军事医学"] if i % 10 == 0 else [],
        "region": {"code": "110000", "name": "北京市"},
        "site": {"code": "1101", "name": "东城区考点", "address": "北京市东城区东直门内大街1号"},
        "attempts": 1 + i % 3,
        "candidate": {"name": NAMES[i % len(NAMES)], "sex": "男" if i % 2 else "女", "birth_date": "1990-03-07",
                      "doc_type": "id_card", "doc_type_label": "居民身份证", "doc_number": "11010519491231002X",
                      "nationality": "中国", "ethnic_group": "汉族", "permit_number": None,
                      "military_identity": "现役军人" if i % 10 == 0 else "非现役军人"},
        "contact": {"mobile": "13800138000", "email": "kaosheng@example.cn", "address": "北京市东城区某街道1号",
                    "postcode": "100010"},
        "work": {"work_unit": "北京协和医院", "work_unit_manual": False, "department": "内科", "title": "住院医师",
                 "title_date": "2020-07", "post": None, "employment_status": "在岗"},
        "educations": [{"school_name": "北京大学医学部", "level": "本科", "study_mode": "全日制", "major": "临床医学",
                        "start_ym": "2010-09", "end_ym": "2015-07", "diploma_number": "100011201505000123"}],
        "trainings": [{"type": "住院医师规范化培训", "institution": "北京协和医院", "major": "内科",
                       "start_ym": "2015-09", "end_ym": "2018-08", "certificate_number": "GP2018001"}],
        "certificates": [], "photo": "photo.jpg", "submitted_at": "2027-01-05T10:00:00+08:00",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    photo_dir = Path(tempfile.mkdtemp(prefix="bench-form-"))
    Image.new("RGB", (102, 126), (200, 210, 230)).save(photo_dir / "photo.jpg", quality=85)

    t, c = time.perf_counter(), time.process_time()
    application_form_pdf(snapshot(0), photo_dir)
    cold, cold_cpu = time.perf_counter() - t, time.process_time() - c
    warm, warm_cpu = [], []
    for i in range(1, 11):
        t, c = time.perf_counter(), time.process_time()
        application_form_pdf(snapshot(i), photo_dir)
        warm.append(time.perf_counter() - t)
        warm_cpu.append(time.process_time() - c)
    print(f"one form: cold {cold:.3f} s (cpu {cold_cpu:.3f}), warm median {statistics.median(warm):.3f} s "
          f"(cpu {statistics.median(warm_cpu):.3f}), max {max(warm):.3f} s (10 runs)", flush=True)

    target = photo_dir / "batch.pdf"
    t, c = time.perf_counter(), time.process_time()
    forms_pdf([snapshot(i) for i in range(args.forms)], photo_dir, target=target, chunk=args.chunk,
              workers=args.workers)
    batch, batch_cpu = time.perf_counter() - t, time.process_time() - c
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(f"{args.forms} forms into one PDF (chunks of {args.chunk}, {args.workers} worker processes): "
          f"{batch:.1f} s wall, {batch_cpu:.1f} s cpu in the parent, "
          f"{target.stat().st_size / 1e6:.1f} MB file, peak RSS of one process {peak:.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
