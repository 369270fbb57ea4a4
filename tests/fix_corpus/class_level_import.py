class Service:
    from loguru import logger

    def run(self) -> None:
        self.logger.info("run")
