using ParamGen.Tensors.Kernels;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;
using ParamGen.Tensors.Tests.Infrastructure;
using F = ParamGen.Tensors.Functional;

namespace ParamGen.Tensors.Tests.Fused;

/// <summary>
/// The fused attention (strided heads, causal block skipping, counter-based dropout) against the unfused composition
/// of plain ops: forward values and the gradients of queries, keys, values and a learned mask, over shapes with tails.
/// </summary>
public class FusedAttentionTests
{
    /// <summary>(B, H, Lq, Lk, D, Dv).</summary>
    private static readonly int[][] Shapes =
    [
        [1, 1, 1, 1, 1, 1],
        [2, 3, 5, 5, 4, 4],
        [2, 2, 50, 50, 32, 32],
        [2, 1, 7, 13, 5, 3],
        [1, 2, 13, 7, 8, 16],
        [2, 2, 17, 17, 9, 9],
        [1, 1, 9, 33, 16, 8],
    ];

    /// <summary>Every combination of causal, mask kind and dropout for each shape.</summary>
    public static TheoryData<int[], bool, string, float> Cases()
    {
        var data = new TheoryData<int[], bool, string, float>();
        foreach (var shape in Shapes)
        {
            foreach (bool causal in new[] { false, true })
            {
                foreach (string mask in new[] { "none", "additive", "learned", "padding" })
                {
                    foreach (float p in new[] { 0f, 0.3f })
                    {
                        data.Add(shape, causal, mask, p);
                    }
                }
            }
        }

        return data;
    }

    /// <summary>softmax(q k^T scale + masks) (dropped with the fused op's counter-based mask) v, from plain ops.</summary>
    internal static Tensor Reference(Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor? padding, bool causal, float p, ulong seed, float scale)
    {
        int lq = q.Shape[-2], lk = k.Shape[-2];
        var s = q.MatMul(k.Transpose(-2, -1)).Mul(scale); // [..., Lq, Lk]
        if (mask is not null)
        {
            s = s.Add(mask);
        }

        if (padding is not null)
        {
            // [B, Lk] -> additive [B, 1, ..., 1, Lk]
            var add = padding.ToArray().Select(x => x != 0 ? float.NegativeInfinity : 0f).ToArray();
            var dims = Enumerable.Repeat(1, s.Rank).ToArray();
            dims[0] = padding.Shape[0];
            dims[^1] = lk;
            s = s.Add(new Tensor(add, dims));
        }

        if (causal)
        {
            var tri = new float[lq * lk];
            for (int i = 0; i < lq; i++)
            {
                for (int j = 0; j < lk; j++)
                {
                    tri[(i * lk) + j] = j > i + lk - lq ? float.NegativeInfinity : 0f;
                }
            }

            s = s.Add(new Tensor(tri, lq, lk));
        }

        var probs = F.Softmax(s, -1);
        if (p > 0)
        {
            uint th = DropoutMask.Threshold(p);
            float sc = DropoutMask.Scale(p);
            var keep = new float[probs.NumElements];
            for (int i = 0; i < keep.Length; i++)
            {
                keep[i] = DropoutMask.Keep(seed, i, th) ? sc : 0f;
            }

            probs = probs.Mul(new Tensor(keep, probs.Shape.ToArray()));
        }

        return probs.MatMul(v);
    }

    private static Tensor Leaf(Generator g, params int[] shape) => Tensor.Randn(shape, g).RequiresGrad_();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScaledDotProductAttentionMatchesTheUnfusedComposition(int[] shape, bool causal, string maskKind, float p)
    {
        int b = shape[0], h = shape[1], lq = shape[2], lk = shape[3], d = shape[4], dv = shape[5];
        var g = new Generator((ulong)((b * 1000) + (lq * 10) + dv));
        Tensor[] Inputs() => [Leaf(g, b, h, lq, d), Leaf(g, b, h, lk, d), Leaf(g, b, h, lk, dv)];
        var fused = Inputs();
        var refs = fused.Select(t => t.Detach().RequiresGrad_()).ToArray();
        Tensor? mask = null, refMask = null, padding = null;
        switch (maskKind)
        {
            case "additive":
                mask = Tensor.Randn([lq, lk], g);
                refMask = mask;
                break;
            case "learned":
                mask = Leaf(g, b, 1, lq, lk);
                refMask = mask.Detach().RequiresGrad_();
                break;
            case "padding":
                // Batch row 0 pads its last keys; row 1 (if any) pads every key, so its queries see nothing.
                var pad = new float[b * lk];
                for (int j = lk / 2; j < lk; j++)
                {
                    pad[j] = 1f;
                }

                for (int j = lk; j < pad.Length && j < 2 * lk; j++)
                {
                    pad[j] = 1f;
                }

                padding = new Tensor(pad, b, lk);
                break;
        }

        var y = F.ScaledDotProductAttention(fused[0], fused[1], fused[2], mask, padding, causal, p, generator: new Generator(77));
        ulong seed = new Generator(77).NextUInt64();
        var expected = Reference(refs[0], refs[1], refs[2], refMask, padding, causal, p, seed, 1f / MathF.Sqrt(d));
        TensorAssert.Close(expected, y, 2e-4, 2e-5, "output");

        var upstream = Tensor.Randn(y.Shape.ToArray(), g);
        y.Backward(upstream);
        expected.Backward(upstream);
        for (int i = 0; i < 3; i++)
        {
            TensorAssert.Close(refs[i].Grad!, fused[i].Grad!, 2e-4, 2e-5, $"gradient of input {i}");
        }

        if (maskKind == "learned")
        {
            TensorAssert.Close(refMask!.Grad!, mask!.Grad!, 2e-4, 2e-5, "mask gradient");
        }
    }

    [Theory]
    [InlineData(false, false, 0f)]
    [InlineData(true, true, 0f)]
    [InlineData(true, true, 0.25f)]
    public void SelfAttentionModuleReadsPackedHeadsLikeTheUnfusedComposition(bool causal, bool padded, float p)
    {
        const int B = 3, L = 11, D = 12, H = 3, Dh = D / H;
        var g = new Generator(5);
        var mha = new MultiHeadAttention(D, H, dropout: p, generator: g);
        var x = Leaf(g, B, L, D);
        var xr = x.Detach().RequiresGrad_();
        Tensor? padding = padded ? new Tensor([.. Enumerable.Range(0, B * L).Select(i => i % L >= L - 1 - (i / L) ? 1f : 0f)], B, L) : null;

        var state = g.GetState();
        var y = mha.Forward(x, x, x, keyPaddingMask: padding, isCausal: causal);
        var replay = new Generator(0);
        replay.SetState(state);
        ulong seed = replay.NextUInt64();

        // Unfused: x W^T + b, split heads by reshape and permute, attention from plain ops, merge, out projection.
        var w = mha.InProjWeight.Detach().RequiresGrad_();
        var bias = mha.InProjBias!.Detach().RequiresGrad_();
        var ow = mha.OutProj.Weight.Detach().RequiresGrad_();
        var ob = mha.OutProj.Bias!.Detach().RequiresGrad_();
        var qkv = xr.MatMul(w.Transpose(0, 1)).Add(bias).Reshape(B, L, 3, H, Dh).Permute(2, 0, 3, 1, 4); // [3, B, H, L, Dh]
        var attn = Reference(qkv.Select(0, 0), qkv.Select(0, 1), qkv.Select(0, 2), null, padding, causal, p, seed, 1f / MathF.Sqrt(Dh));
        var expected = attn.Transpose(1, 2).Reshape(B, L, D).MatMul(ow.Transpose(0, 1)).Add(ob);
        TensorAssert.Close(expected, y, 2e-4, 2e-5, "output");

        var upstream = Tensor.Randn([B, L, D], g);
        y.Backward(upstream);
        expected.Backward(upstream);
        TensorAssert.Close(xr.Grad!, x.Grad!, 2e-4, 2e-5, "input gradient");
        TensorAssert.Close(w.Grad!, mha.InProjWeight.Grad!, 2e-4, 2e-5, "in_proj_weight gradient");
        TensorAssert.Close(bias.Grad!, mha.InProjBias.Grad!, 2e-4, 2e-5, "in_proj_bias gradient");
        TensorAssert.Close(ow.Grad!, mha.OutProj.Weight.Grad!, 2e-4, 2e-5, "out_proj.weight gradient");
        TensorAssert.Close(ob.Grad!, mha.OutProj.Bias.Grad!, 2e-4, 2e-5, "out_proj.bias gradient");
    }

    [Fact]
    public void CrossAttentionModuleMatchesTheUnfusedComposition()
    {
        const int B = 2, Lq = 6, Lk = 9, D = 8, H = 2, Dh = D / H;
        var g = new Generator(6);
        var mha = new MultiHeadAttention(D, H, generator: g);
        var q = Leaf(g, B, Lq, D);
        var kv = Leaf(g, B, Lk, D);
        var mask = Leaf(g, B * H, Lq, Lk);
        var (qr, kvr, maskr) = (q.Detach().RequiresGrad_(), kv.Detach().RequiresGrad_(), mask.Detach().RequiresGrad_());
        var y = mha.Forward(q, kv, kv, attnMask: mask, isCausal: true);

        var w = mha.InProjWeight.Detach();
        var bias = mha.InProjBias!.Detach();
        Tensor Proj(Tensor x, int part, int len) => x.MatMul(w.Narrow(0, part * D, D).Transpose(0, 1)).Add(bias.Narrow(0, part * D, D))
            .Reshape(B, len, H, Dh).Transpose(1, 2); // [B, H, L, Dh]
        var attn = Reference(Proj(qr, 0, Lq), Proj(kvr, 1, Lk), Proj(kvr, 2, Lk), maskr.Reshape(B, H, Lq, Lk), null, true, 0f, 0, 1f / MathF.Sqrt(Dh));
        var expected = mha.OutProj.Forward(attn.Transpose(1, 2).Reshape(B, Lq, D));
        TensorAssert.Close(expected, y, 2e-4, 2e-5, "output");

        var upstream = Tensor.Randn([B, Lq, D], g);
        y.Backward(upstream);
        expected.Backward(upstream);
        TensorAssert.Close(qr.Grad!, q.Grad!, 2e-4, 2e-5, "query gradient");
        TensorAssert.Close(kvr.Grad!, kv.Grad!, 2e-4, 2e-5, "key/value gradient");
        TensorAssert.Close(maskr.Grad!, mask.Grad!, 2e-4, 2e-5, "mask gradient");
    }

    [Fact]
    public void PanelGemmMatchesAScalarProductForEveryTileShape()
    {
        var g = new Generator(9);
        foreach (int rows in new[] { 1, 2, 3, 4 })
        {
            foreach (int n in new[] { 0, 1, 7, 8, 9, 16, 17, 33 })
            {
                foreach (var (k0, k1) in new[] { (0, 0), (0, 5), (2, 19), (3, 2) })
                {
                    foreach (bool transA in new[] { false, true })
                    {
                        // A(i, p) with strides (aRow, aCol); B rows of ldb > n; C rows of ldc > n, padded with sentinels.
                        int kMax = 20, ldb = n + 3, ldc = n + 2;
                        var a = new float[(4 * kMax) + 5];
                        var b = new float[(kMax * ldb) + 7];
                        var c = new float[(4 * ldc) + 5];
                        g.FillNormal(a);
                        g.FillNormal(b);
                        Array.Fill(c, 42f);
                        int aRow = transA ? 1 : kMax, aCol = transA ? 4 : 1;
                        PanelGemm.Rows(rows, n, k0, k1, 0.5f, a, 1, aRow, aCol, b, 2, ldb, c, 3, ldc);
                        var expected = (float[])c.Clone();
                        Array.Fill(expected, 42f);
                        for (int i = 0; i < rows; i++)
                        {
                            for (int j = 0; j < n; j++)
                            {
                                double acc = 0;
                                for (int pp = k0; pp < k1; pp++)
                                {
                                    acc += a[1 + (i * aRow) + (pp * aCol)] * (double)b[2 + (pp * ldb) + j];
                                }

                                expected[3 + (i * ldc) + j] = (float)(0.5 * acc);
                            }
                        }

                        for (int at = 0; at < c.Length; at++)
                        {
                            Assert.Equal(expected[at], c[at], 1e-4f);
                        }
                    }
                }
            }
        }
    }
}

/// <summary>Fused attention with masks and dropout gives the same bits for any thread count (runs alone: it changes NumThreads).</summary>
[Collection("Attention thread count")]
public class FusedAttentionThreadCountTests
{
    [Fact]
    public void MaskedDroppedAttentionAndItsGradientsDoNotDependOnThreadCount()
    {
        float[][] Run(int threads)
        {
            Engine.NumThreads = threads;
            var g = new Generator(3);
            var q = Tensor.Randn([3, 4, 21, 12], g).RequiresGrad_();
            var k = Tensor.Randn([3, 4, 21, 12], g).RequiresGrad_();
            var v = Tensor.Randn([3, 4, 21, 12], g).RequiresGrad_();
            var mask = Tensor.Randn([3, 1, 21, 21], g).RequiresGrad_();
            var y = F.ScaledDotProductAttention(q, k, v, mask, isCausal: true, dropoutP: 0.2f, generator: new Generator(4));
            y.Backward(Tensor.Randn(y.Shape.ToArray(), g));
            return [y.ToArray(), q.Grad!.ToArray(), k.Grad!.ToArray(), v.Grad!.ToArray(), mask.Grad!.ToArray()];
        }

        int saved = Engine.NumThreads;
        try
        {
            var one = Run(1);
            var two = Run(2);
            var three = Run(3);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.Equal(one[i], two[i]);
                Assert.Equal(one[i], three[i]);
            }
        }
        finally
        {
            Engine.NumThreads = saved;
        }
    }
}
