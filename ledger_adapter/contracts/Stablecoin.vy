# pragma version 0.4.3
"""
@title Remit stablecoin
@notice ERC-20 with 6 decimals. Only the issuer mints and burns (against fiat it holds); the
        issuer can pause every transfer, mint and burn (an incident, a court order).
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

event Paused:
    account: address

event Unpaused:
    account: address

name: public(String[32])
symbol: public(String[8])
decimals: public(constant(uint8)) = 6
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
issuer: public(address)
paused: public(bool)


@deploy
def __init__(_name: String[32], _symbol: String[8]):
    self.name = _name
    self.symbol = _symbol
    self.issuer = msg.sender


@internal
def _move(_from: address, _to: address, _value: uint256):
    assert not self.paused, "paused"
    assert _to != empty(address), "zero address"
    self.balanceOf[_from] -= _value
    self.balanceOf[_to] += _value
    log Transfer(sender=_from, receiver=_to, value=_value)


@external
def transfer(_to: address, _value: uint256) -> bool:
    self._move(msg.sender, _to, _value)
    return True


@external
def transferFrom(_from: address, _to: address, _value: uint256) -> bool:
    allowed: uint256 = self.allowance[_from][msg.sender]
    if allowed != max_value(uint256):
        self.allowance[_from][msg.sender] = allowed - _value
    self._move(_from, _to, _value)
    return True


@external
def approve(_spender: address, _value: uint256) -> bool:
    self.allowance[msg.sender][_spender] = _value
    log Approval(owner=msg.sender, spender=_spender, value=_value)
    return True


@external
def mint(_to: address, _value: uint256):
    assert msg.sender == self.issuer, "issuer only"
    assert not self.paused, "paused"
    assert _to != empty(address), "zero address"
    self.totalSupply += _value
    self.balanceOf[_to] += _value
    log Transfer(sender=empty(address), receiver=_to, value=_value)


@external
def burn(_value: uint256):
    """@notice The issuer burns coin it holds (redeemed against fiat paid back)."""
    assert msg.sender == self.issuer, "issuer only"
    assert not self.paused, "paused"
    self.balanceOf[msg.sender] -= _value
    self.totalSupply -= _value
    log Transfer(sender=msg.sender, receiver=empty(address), value=_value)


@external
def pause():
    assert msg.sender == self.issuer, "issuer only"
    self.paused = True
    log Paused(account=msg.sender)


@external
def unpause():
    assert msg.sender == self.issuer, "issuer only"
    self.paused = False
    log Unpaused(account=msg.sender)
