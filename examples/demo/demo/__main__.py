"""`python -m demo`: print the invoice."""

from demo.cli import main

raise SystemExit(main())
