"""Pay-ins, by job: partners' callbacks (`callbacks`), payment references and instructions
(`references`), the operators' suspense list (`suspense`) and refunds to the original source
(`refunds`). Their reconciliation against a partner's statement is in
`gateway.usecases.reconcile`, with the payouts'."""

from gateway.usecases.reconcile import reconcile_payins

__all__ = ["reconcile_payins"]
