import json  # -*- coding: latin-1 -*-
def dump():\
	return json.dumps(TEXT)
