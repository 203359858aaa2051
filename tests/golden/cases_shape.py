"""Golden cases for the shape, layout and indexing ops: permute/transpose, narrow/select/split/chunk, cat/stack,
repeat, tril/triu, gather/index_select/scatter_add, where/masked_fill, comparisons, embedding and one_hot.
Index tensors go in as aux (stored as float32, as ParamGen keeps them)."""
import torch
import torch.nn.functional as F


def build(g):
    # Permute: attention moves ([B,L,H,D] -> [B,H,L,D], swapping the last two), general and size-1 moves.
    g.case("permute.blhd", lambda x: x.permute(0, 2, 1, 3), [g.randn(2, 5, 3, 7)])
    g.case("permute.last2", lambda x: x.permute(0, 1, 3, 2), [g.randn(2, 3, 5, 17)])
    g.case("permute.rotate", lambda x: x.permute(2, 0, 1), [g.randn(3, 4, 5)])
    g.case("permute.scramble", lambda x: x.permute(3, 1, 0, 2), [g.randn(2, 3, 4, 5)])
    g.case("permute.negdims", lambda x: x.permute(-1, 0, -2), [g.randn(3, 4, 5)])
    g.case("permute.size1", lambda x: x.permute(1, 2, 0), [g.randn(3, 1, 5)])
    g.case("permute.big2d", lambda x: x.permute(1, 0), [g.randn(33, 37)])
    g.case("transpose.2d", lambda x: x.transpose(0, 1), [g.randn(4, 17)])
    g.case("transpose.neg", lambda x: x.transpose(-1, -3), [g.randn(2, 3, 33)])
    # Slicing.
    g.case("narrow.dim0", lambda x: x.narrow(0, 2, 3), [g.randn(7, 5)])
    g.case("narrow.dim1", lambda x: x.narrow(1, 2, 5), [g.randn(4, 9, 3)])
    g.case("narrow.negdim", lambda x: x.narrow(-1, 1, 2), [g.randn(3, 4, 5)])
    g.case("narrow.negstart", lambda x: x.narrow(1, -3, 2), [g.randn(3, 7)])
    g.case("select.mid", lambda x: x.select(1, 2), [g.randn(3, 4, 5)])
    g.case("select.neg", lambda x: x.select(-1, -1), [g.randn(3, 4, 5)])
    g.case("select.dim0", lambda x: x.select(0, 1), [g.randn(3, 4)])
    g.case("split.dim0", lambda x: x.split(3, 0), [g.randn(7, 5)])
    g.case("split.neg", lambda x: x.split(4, -1), [g.randn(4, 9)])
    g.case("split.sizes", lambda x: x.split([2, 4, 3], 1), [g.randn(2, 9, 3)])
    g.case("chunk.dim1", lambda x: x.chunk(3, 1), [g.randn(6, 7)])
    g.case("chunk.fewer", lambda x: x.chunk(4), [g.randn(6, 2)])
    # Joining.
    g.case("cat.dim0", lambda a, b, c: torch.cat([a, b, c], 0), [g.randn(2, 3), g.randn(4, 3), g.randn(1, 3)])
    g.case("cat.negdim", lambda a, b: torch.cat([a, b], -2), [g.randn(2, 3, 4), g.randn(2, 5, 4)])
    g.case("cat.last", lambda a, b: torch.cat([a, b], 1), [g.randn(2, 3), g.randn(2, 1)])
    g.case("stack.dim0", lambda a, b, c: torch.stack([a, b, c], 0), [g.randn(2, 3), g.randn(2, 3), g.randn(2, 3)])
    g.case("stack.dim1", lambda a, b: torch.stack([a, b], 1), [g.randn(2, 3), g.randn(2, 3)])
    g.case("stack.neg", lambda a, b: torch.stack([a, b], -1), [g.randn(2, 3), g.randn(2, 3)])
    g.case("repeat.pad", lambda x: x.repeat(2, 1, 3), [g.randn(2, 3)])
    g.case("repeat.vec", lambda x: x.repeat(2, 2), [g.randn(3)])
    g.case("repeat.mid", lambda x: x.repeat(1, 4, 1), [g.randn(2, 1, 3)])
    # Triangles.
    g.case("tril.main", lambda x: x.tril(), [g.randn(5, 7)])
    g.case("tril.below", lambda x: x.tril(-1), [g.randn(2, 4, 4)])
    g.case("tril.above", lambda x: x.tril(2), [g.randn(3, 6)])
    g.case("triu.main", lambda x: x.triu(), [g.randn(6, 4)])
    g.case("triu.above", lambda x: x.triu(1), [g.randn(3, 5, 4)])
    g.case("triu.below", lambda x: x.triu(-2), [g.randn(5, 5)])
    # Gather / index_select / scatter_add, with repeated indices so gradients add.
    idx = torch.tensor([[0, 4, 4, 1], [2, 2, 3, 0], [1, 0, 4, 4]])
    g.case("gather.dim1", lambda x, i: x.gather(1, i), [g.randn(3, 5)], aux=(idx,))
    g.case("gather.dim0", lambda x, i: x.gather(0, i), [g.randn(4, 3)], aux=(torch.tensor([[3, 0, 1], [3, 3, 2]]),))
    g.case("gather.smaller", lambda x, i: x.gather(-1, i), [g.randn(2, 3, 6)],
           aux=(torch.randint(0, 6, (2, 2, 4), generator=g.gen),))
    g.case("index_select.dim0", lambda x, i: x.index_select(0, i), [g.randn(5, 4)], aux=(torch.tensor([4, 0, 4, 2]),))
    g.case("index_select.dim1", lambda x, i: x.index_select(1, i), [g.randn(3, 6, 2)], aux=(torch.tensor([5, 5, 0]),))
    g.case("index_select.neg", lambda x, i: x.index_select(-1, i), [g.randn(2, 3, 7)], aux=(torch.tensor([6, 1]),))
    g.case("scatter_add.dim1", lambda s, src, i: s.scatter_add(1, i, src), [g.randn(3, 5), g.randn(3, 4)], aux=(idx,))
    # torch 1.13's backward rejects a source larger than the index; scatter_add only reads the index-shaped corner of
    # the source, so slicing it first gives the same forward and the intended gradient (zero outside the corner).
    g.case("scatter_add.bigsrc", lambda s, src, i: s.scatter_add(1, i, src[:i.shape[0], :i.shape[1]]),
           [g.randn(3, 5), g.randn(4, 6)], aux=(idx,))
    g.case("scatter_add.dim0", lambda s, src, i: s.scatter_add(0, i, src), [g.randn(4, 3), g.randn(2, 3)],
           aux=(torch.tensor([[3, 0, 1], [3, 3, 1]]),))
    # Where / masked_fill with broadcasting.
    g.case("where.bcast", lambda a, b, c: torch.where(c, a, b), [g.randn(1, 4), g.randn(3, 4)],
           aux=(torch.tensor([[True], [False], [True]]),))
    g.case("where.scalar_b", lambda a, b, c: torch.where(c, a, b), [g.randn(2, 3, 4), g.randn()],
           aux=(torch.tensor([True, False, False, True]),))
    g.case("where.all_bcast", lambda a, b, c: torch.where(c, a, b), [g.randn(3, 1), g.randn(1, 5)],
           aux=(torch.tensor([[[True, False, True, True, False]], [[False, True, False, False, True]]]),))
    g.case("masked_fill.bcast", lambda x, m: x.masked_fill(m, -1e9), [g.randn(2, 3, 4)],
           aux=(torch.tensor([[True], [False], [True]]),))
    g.case("masked_fill.causal", lambda x, m: x.masked_fill(m, float("-inf")).exp(), [g.randn(2, 5, 5)],
           aux=(torch.ones(5, 5, dtype=torch.bool).triu(1),))
    g.case("masked_fill.grow", lambda x, m: x.masked_fill(m, 2.5), [g.randn(4)],
           aux=(torch.tensor([[True, False, False, True], [False, True, False, False], [False, False, False, False]]),))
    # Comparisons (no gradient); rounded values so Eq has ties.
    a, b = torch.round(g.randn(4, 7) * 2), torch.round(g.randn(7) * 2)
    g.case("gt", lambda x, y: x > y, [a, b])
    g.case("lt", lambda x, y: x < y, [a, b])
    g.case("eq", lambda x, y: x == y, [a, b])
    g.case("gt.scalar", lambda x: x > 0.5, [a])
    g.case("lt.scalar", lambda x: x < -1.0, [a])
    g.case("eq.scalar", lambda x: x == 1.0, [a])
    # Embedding: the padding index appears in the indices (its row gets no gradient).
    ids = torch.tensor([[0, 3, 3, 9, 0], [1, 0, 7, 3, 2], [9, 9, 5, 0, 4]])
    g.case("embedding.pad0", lambda w, i: F.embedding(i, w, padding_idx=0), [g.randn(10, 4)], aux=(ids,))
    g.case("embedding.padneg", lambda w, i: F.embedding(i, w, padding_idx=-1), [g.randn(10, 4)], aux=(ids,))
    g.case("embedding.nopad", lambda w, i: F.embedding(i, w), [g.randn(10, 33)], aux=(ids,))
    g.case("embedding.1d", lambda w, i: F.embedding(i, w, padding_idx=3), [g.randn(10, 7)], aux=(torch.tensor([3, 1, 3, 8]),))
    g.case("one_hot", lambda i: F.one_hot(i, 5).double(), [], aux=(torch.tensor([[0, 4, 2], [4, 4, 1]]),))
