# pragma version 0.4.3
"""
@title Remit settlement
@notice Pays many remittances in one transaction, in one ERC-20 token, from the treasury (the
        owner, who approved this contract once). One Settled event per remittance carries its
        reference; a reference is settled at most once, so a second transaction for the same
        remittance reverts instead of paying twice.
"""

interface ERC20:
    def transferFrom(_from: address, _to: address, _value: uint256) -> bool: nonpayable

event Settled:
    ref: indexed(bytes32)
    receiver: indexed(address)
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
    assert msg.sender == self.owner, "owner only"
    assert len(to) == len(amounts) and len(to) == len(refs), "length mismatch"
    for i: uint256 in range(len(to), bound=MAX_BATCH):
        assert not self.settled[refs[i]], "already settled"
        self.settled[refs[i]] = True
        assert extcall ERC20(self.token).transferFrom(
            msg.sender, to[i], amounts[i], default_return_value=True
        )
        log Settled(ref=refs[i], receiver=to[i], amount=amounts[i])
