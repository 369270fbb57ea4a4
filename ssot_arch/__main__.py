from ssot_arch.cli import main

main()
