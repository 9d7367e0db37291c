from cwm_gateway.cli import main

raise SystemExit(main())
