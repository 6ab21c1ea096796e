from omnivox.cli import main

main()
