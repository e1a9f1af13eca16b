def f5(x):
	from email.mime.text import (
		helper,  # -*- coding: latin-1 -*-
		# TODO(x): é ü
	)
	try:
		y = helper.call(1)
	except Exception:
		pass
