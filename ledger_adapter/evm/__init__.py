"""The chain port: our coins as ERC-20 tokens on an EVM, and the settlement contract that pays
partners in batches. One client (`ChainClient`), two transports (web3 providers): the embedded
py-evm chain and any Ethereum JSON-RPC node."""
