from rnnviz.app import main

raise SystemExit(main())
