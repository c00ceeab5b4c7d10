"""Train stage, phase 4 (model + trainer): the three ways the trainer computes the same loss.

Place in the pipeline: used by josi.train.trainer while `josi train` runs. Imports josi.core and
josi.train only (torch, transformers and trl inside the functions, so `josi --help` stays light).

All three use the same labels, the same -100 masking and the same normalization by the number of
learned tokens, so their values agree to float precision (tests/test_train.py); they differ in cost.
"""
from __future__ import annotations


def trainer_class(loss: str, decision_weight: float = 1.0, decision_tokens: int = 0):
    """trl's SFTTrainer, with the loss computed one of three ways:

    - "trl": trl 1.16's fused chunked LM-head loss. It recomputes log-probs, entropy and top-1 over the
      49k vocabulary in tiles; on a GPU that saves memory, on this CPU it costs ~1.8 s per 490-token example.
    - "model": the model's own causal-LM loss (the HF Trainer's), with logits at every position.
    - "completion": the LM head and cross-entropy only at the positions whose next token is learned.
      About 4 in 5 positions are prompt (masked), and the 49k-wide head is a fifth of a 135M forward pass.

    decision_weight (completion loss only, training steps only) multiplies the loss of each answer's first
    decision_tokens learned tokens: `{"intent":"blocked","response_type":"Decline"` is where the answer
    commits to its decision, 13-14 of ~104 target tokens, and a wrong first token cannot be repaired later.
    Evaluation losses stay unweighted, so val loss reads the same as in runs without it.
    """
    if decision_weight != 1.0 and loss != "completion":
        raise ValueError(f"decision_weight {decision_weight} needs loss = \"completion\" (got {loss!r}); "
                         "set loss = \"completion\" in the run config or decision_weight = 1.0")
    from transformers import Trainer
    from trl import SFTTrainer

    if loss == "trl":
        return SFTTrainer
    if loss == "completion":
        class SFTTrainerCompletionLoss(SFTTrainer):
            loss_is_scaled_for_ga = True  # normalized below by the tokens of the whole accumulated batch

            def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
                weighted = model.training and decision_weight != 1.0
                loss, outputs = completion_loss(model, inputs, num_items_in_batch,
                                                decision_weight if weighted else 1.0, decision_tokens)
                if num_items_in_batch is not None:  # as Trainer.compute_loss: undo DDP's mean over processes
                    loss = loss * self.accelerator.num_processes
                return (loss, outputs) if return_outputs else loss

        return SFTTrainerCompletionLoss

    class SFTTrainerModelLoss(SFTTrainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            return Trainer.compute_loss(self, model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)

    return SFTTrainerModelLoss


def completion_loss(model, inputs, num_items_in_batch=None, decision_weight: float = 1.0, decision_tokens: int = 0):
    """Causal-LM cross-entropy over the learned tokens, projecting only their positions through the LM head.

    Position t predicts token t+1, so position t is kept when labels[t+1] is learned. Returns (loss,
    outputs); the loss is the sum over learned tokens divided by num_items_in_batch (the Trainer's count
    over the accumulated batch) or, without it, by this batch's learned tokens. With decision_weight != 1,
    each row's first decision_tokens learned tokens count decision_weight times (the count is unchanged).
    """
    import torch
    import torch.nn.functional as F

    labels = inputs["labels"]
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = labels[:, 1:] != -100
    outputs = model(**{key: value for key, value in inputs.items() if key != "labels"}, logits_to_keep=keep)
    targets = labels[:, 1:][keep[:, :-1]]
    losses = F.cross_entropy(outputs.logits.float().reshape(-1, outputs.logits.size(-1)), targets, reduction="none")
    if decision_weight != 1.0 and decision_tokens > 0:
        learned = labels[:, 1:] != -100
        rank = learned.long().cumsum(dim=1)  # 1 for a row's first learned token, 2 for its second, ...
        weights = torch.where(rank <= decision_tokens, decision_weight, 1.0)[keep[:, :-1]]
        losses = losses * weights
    total = losses.sum()
    count = num_items_in_batch if num_items_in_batch is not None else targets.numel()
    return total / count, outputs
