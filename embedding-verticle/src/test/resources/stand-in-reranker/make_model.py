#!/usr/bin/python3
"""Writes model.onnx: a STAND-IN cross-encoder for tests, not a reranker anyone should use.

No real cross-encoder can be downloaded here (the Hugging Face hub is unreachable, no registry we
reach ships one), so the code path is tested with this: the inputs and output of a BERT
sequence-classification export (input_ids, attention_mask, token_type_ids: int64 [batch, seq];
logits: float [batch, 1]), and a score anyone can predict: 2 × (number of "relevant" tokens in
the pair) − 1. Token id 7882 is "relevant" in the BERT uncased vocabulary of the built-in e5 model's
tokenizer.json, which the tests put beside this file. Needs Debian's python3-onnx:
  /usr/bin/python3 embedding-verticle/src/test/resources/stand-in-reranker/make_model.py
"""
import os
import onnx
from onnx import TensorProto, helper

RELEVANT = 7882
inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"])
          for n in ("input_ids", "attention_mask", "token_type_ids")]
output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1])
nodes = [
    helper.make_node("Constant", [], ["relevant"], value=helper.make_tensor("v", TensorProto.INT64, [], [RELEVANT])),
    helper.make_node("Equal", ["input_ids", "relevant"], ["hit"]),
    helper.make_node("Cast", ["hit"], ["hits"], to=TensorProto.FLOAT),
    helper.make_node("ReduceSum", ["hits"], ["count"], axes=[1], keepdims=1),
    helper.make_node("Constant", [], ["two"], value=helper.make_tensor("t", TensorProto.FLOAT, [], [2.0])),
    helper.make_node("Constant", [], ["one"], value=helper.make_tensor("o", TensorProto.FLOAT, [], [1.0])),
    helper.make_node("Mul", ["count", "two"], ["doubled"]),
    # attention_mask and token_type_ids are declared inputs; touch them so no runtime drops them
    helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
    helper.make_node("Cast", ["token_type_ids"], ["types_f"], to=TensorProto.FLOAT),
    helper.make_node("ReduceSum", ["mask_f"], ["mask_sum"], axes=[1], keepdims=1),
    helper.make_node("ReduceSum", ["types_f"], ["types_sum"], axes=[1], keepdims=1),
    helper.make_node("Constant", [], ["zero"], value=helper.make_tensor("z", TensorProto.FLOAT, [], [0.0])),
    helper.make_node("Mul", ["mask_sum", "zero"], ["mask_zero"]),
    helper.make_node("Mul", ["types_sum", "zero"], ["types_zero"]),
    helper.make_node("Sub", ["doubled", "one"], ["raw"]),
    helper.make_node("Add", ["raw", "mask_zero"], ["raw2"]),
    helper.make_node("Add", ["raw2", "types_zero"], ["logits"]),
]
graph = helper.make_graph(nodes, "stand_in_cross_encoder", inputs, [output])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)], producer_name="memory-service tests")
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx"))
