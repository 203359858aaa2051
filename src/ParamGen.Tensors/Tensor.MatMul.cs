using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Kernels;

namespace ParamGen.Tensors;

public partial class Tensor
{
    /// <summary>
    /// Matrix product with <c>torch.matmul</c> semantics: 1-D operands are promoted (and the added
    /// dimension removed), leading batch dimensions broadcast. <c>[B, L, d] x [d, r]</c> is one GEMM;
    /// <c>[B, L, d] x [B, d, r]</c> (per-sample weights) is a batched GEMM. Inside a
    /// <see cref="Memory.TensorScope"/> the output's storage comes from the pool, as every op's does.
    /// </summary>
    /// <exception cref="ArgumentException">Inner dimensions differ or batch dimensions do not broadcast; the message names both shapes.</exception>
    public Tensor MatMul(Tensor other)
    {
        if (Rank == 0 || other.Rank == 0)
        {
            throw new ArgumentException($"MatMul needs operands of rank >= 1; got shapes {Shape} and {other.Shape}.");
        }

        if (Rank == 1 && other.Rank == 1)
        {
            CheckInner(Shape[0], other.Shape[0], other);
            return Unsqueeze(0).MatMul(other.Unsqueeze(1)).Reshape();
        }

        if (Rank == 1)
        {
            return Unsqueeze(0).MatMul(other).Squeeze(-2);
        }

        if (other.Rank == 1)
        {
            return MatMul(other.Unsqueeze(1)).Squeeze(-1);
        }

        int k = Shape[-1];
        CheckInner(k, other.Shape[-2], other);
        if (other.Rank == 2)
        {
            // Fold every leading dim of this into the rows of one GEMM: [..., M, K] x [K, N].
            int rows = Shape.Product(0, Rank - 1); // not NumElements / k: k may be 0
            var outDims = Shape.ToArray();
            outDims[^1] = other.Shape[1];
            return MatMul2D(Reshape(rows, k), other, false, false).Reshape(outDims);
        }

        // Batched: broadcast the batch dims, then one GEMM per batch entry.
        var aBatch = new Shape(Shape.Dims[..^2]);
        var bBatch = new Shape(other.Shape.Dims[..^2]);
        Shape batch;
        try
        {
            batch = Shape.Broadcast(aBatch, bBatch);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"MatMul batch dimensions of {Shape} and {other.Shape} do not broadcast: {e.Message}", e);
        }

        var a = Expand(new Shape([.. batch.Dims, Shape[-2], k]));
        var b = other.Expand(new Shape([.. batch.Dims, k, other.Shape[-1]]));
        return BatchedMatMul(a, b);
    }

    private void CheckInner(int k, int k2, Tensor other)
    {
        if (k != k2)
        {
            throw new ArgumentException($"MatMul shape mismatch: {Shape} x {other.Shape} (inner dimensions {k} and {k2} differ).");
        }
    }

    /// <summary>
    /// Batched matrix product <c>[B, M, K] x [B, K, N]</c>, as <c>torch.bmm</c>. Inside a
    /// <see cref="Memory.TensorScope"/> the output's storage comes from the pool.
    /// </summary>
    /// <exception cref="ArgumentException">The operands are not rank 3 with equal batch sizes and matching inner dimensions.</exception>
    public Tensor Bmm(Tensor other)
    {
        if (Rank != 3 || other.Rank != 3 || Shape[0] != other.Shape[0] || Shape[2] != other.Shape[1])
        {
            throw new ArgumentException($"Bmm needs [B, M, K] x [B, K, N]; got {Shape} x {other.Shape}.");
        }

        return BatchedMatMul(this, other);
    }

    /// <summary>[M, K] (or [K, M] if transA) times [K, N] (or [N, K] if transB), with autograd.</summary>
    internal static Tensor MatMul2D(Tensor a, Tensor b, bool transA, bool transB)
    {
        int m = transA ? a.Shape[1] : a.Shape[0];
        int k = transA ? a.Shape[0] : a.Shape[1];
        int n = transB ? b.Shape[0] : b.Shape[1];
        var y = Uninitialized(new Shape(m, n)); // beta 0: the GEMM writes every element
        Gemm.Sgemm(transA, transB, m, n, k, 1f, a.Buffer, a.Offset, a.Shape[1], b.Buffer, b.Offset, b.Shape[1], 0f, y.Buffer, 0, n);
        if (AutogradEngine.NeedsGrad(a, b))
        {
            AutogradEngine.Record(y, "MatMul", [a, b], g =>
            {
                if (a.RequiresGrad)
                {
                    // dA = g B^T  (or its transpose when A was used transposed)
                    var ga = transA ? MatMul2D(b, g, transB, true) : MatMul2D(g, b, false, !transB);
                    AutogradEngine.Accumulate(a, ga);
                }

                if (b.RequiresGrad)
                {
                    // dB = A^T g  (or its transpose when B was used transposed)
                    var gb = transB ? MatMul2D(g, a, true, transA) : MatMul2D(a, g, !transA, false);
                    AutogradEngine.Accumulate(b, gb);
                }
            });
        }

        return y;
    }

    /// <summary>[..., M, K] x [..., K, N] with identical batch dims; optional transposes of the matrices.</summary>
    internal static Tensor BatchedMatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        int ra = a.Rank, rb = b.Rank;
        int m = transA ? a.Shape[ra - 1] : a.Shape[ra - 2];
        int k = transA ? a.Shape[ra - 2] : a.Shape[ra - 1];
        int n = transB ? b.Shape[rb - 2] : b.Shape[rb - 1];
        int batch = a.Shape.Product(0, ra - 2);
        var outShape = new Shape([.. a.Shape.Dims[..^2], m, n]);
        var y = Uninitialized(outShape); // beta 0: the GEMM writes every element (zeros when k is 0)
        int sa = a.Shape[ra - 2] * a.Shape[ra - 1], sb = b.Shape[rb - 2] * b.Shape[rb - 1], sc = m * n;
        int lda = a.Shape[ra - 1], ldb = b.Shape[rb - 1];

        // One call for the whole batch: small matrices (attention per head, per-sample adapter weights)
        // are spread over the threads a batch entry at a time.
        Gemm.SgemmBatched(transA, transB, batch, m, n, k, 1f, a.Buffer, a.Offset, sa, lda, b.Buffer, b.Offset, sb, ldb, 0f, y.Buffer, 0, sc, n);

        if (AutogradEngine.NeedsGrad(a, b))
        {
            AutogradEngine.Record(y, "BatchedMatMul", [a, b], g =>
            {
                if (a.RequiresGrad)
                {
                    AutogradEngine.Accumulate(a, transA ? BatchedMatMul(b, g, transB, true) : BatchedMatMul(g, b, false, !transB));
                }

                if (b.RequiresGrad)
                {
                    AutogradEngine.Accumulate(b, transB ? BatchedMatMul(g, a, true, transA) : BatchedMatMul(a, g, !transA, false));
                }
            });
        }

        return y;
    }
}
