"""考场编排: the pure planner (plan.py), 准考证号 (numbers.py), reading input and publishing (service.py),
the background job (job.py), the 准考证's signed QR payload (tickets.py) and check-in (checkin.py)."""
