# pragma version 0.4.3
"""
@title Remit settlement
@notice Pays many remittances in one transaction, in one ERC-20 token, from the treasury (the
        owner, who approved this contract once). One Settled event per remittance carries its
        reference; a reference is settled at most once, so a second transaction for the same
        remittance reverts instead of paying twice. A partner that could not pay a remittance
        out gives the coin back with `give_back(ref, amount)`, having approved this contract
        for the amount: the coin goes to the treasury and one Returned event carries the
        reference, which a plain ERC-20 Transfer cannot.
"""

interface ERC20:
    def transferFrom(_from: address, _to: address, _value: uint256) -> bool: nonpayable

event Settled:
    ref: indexed(bytes32)
    receiver: indexed(address)
    amount: uint256

event Returned:
    ref: indexed(bytes32)
    sender: indexed(address)
    amount: uint256

MAX_BATCH: constant(uint256) = 256

token: public(address)
owner: public(address)
settled: public(HashMap[bytes32, bool])


@deploy
def __init__(_token: address):
    self.token = _token
    self.owner = msg.sender


@external
def settle(
    to: DynArray[address, MAX_BATCH],
    amounts: DynArray[uint256, MAX_BATCH],
    refs: DynArray[bytes32, MAX_BATCH],
):
    """@notice One Settled event per remittance; the coin moves in one transferFrom per run of
            consecutive items to the same receiver (a batch is one partner's: one transfer)."""
    assert msg.sender == self.owner, "owner only"
    assert len(to) == len(amounts) and len(to) == len(refs), "length mismatch"
    receiver: address = empty(address)
    owed: uint256 = 0
    for i: uint256 in range(len(to), bound=MAX_BATCH):
        assert not self.settled[refs[i]], "already settled"
        self.settled[refs[i]] = True
        if to[i] != receiver:
            self._pay(receiver, owed)
            receiver = to[i]
            owed = 0
        owed += amounts[i]
        log Settled(ref=refs[i], receiver=to[i], amount=amounts[i])
    self._pay(receiver, owed)


@internal
def _pay(receiver: address, amount: uint256):
    if amount > 0:
        assert extcall ERC20(self.token).transferFrom(
            self.owner, receiver, amount, default_return_value=True
        )


@external
def give_back(ref: bytes32, amount: uint256):
    """@notice Return coin for remittance `ref` to the treasury. Anyone may call it; the
            gateway applies a return only when its reference, sender (the address the
            remittance was settled to) and amount match, and records any other."""
    assert amount > 0, "nothing to give back"
    assert extcall ERC20(self.token).transferFrom(
        msg.sender, self.owner, amount, default_return_value=True
    )
    log Returned(ref=ref, sender=msg.sender, amount=amount)
