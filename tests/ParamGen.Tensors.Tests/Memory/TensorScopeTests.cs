using ParamGen.Tensors;
using ParamGen.Tensors.Autograd;
using ParamGen.Tensors.Memory;
using ParamGen.Tensors.Nn;
using ParamGen.Tensors.Random;

namespace ParamGen.Tensors.Tests.Memory;

/// <summary>What a scope frees, what it keeps, and that a disposed tensor can never be read.</summary>
public class TensorScopeTests
{
    [Fact]
    public void EverythingCreatedInAScopeIsDisposedAndItsPooledStorageReturned()
    {
        Tensor x, y, view, detached, small, fromSpan, clone;
        PooledStorage? sx, sy;
        using (TensorScope.Begin())
        {
            x = Tensor.Randn([64, 64], new Generator(1)); // pooled
            y = x.Relu();                                 // pooled, made by an op
            view = y.Reshape(4096);                       // view: shares y's storage
            detached = y.Detach();
            small = Tensor.Ones(3);                       // too small to pool, still scoped
            fromSpan = Tensor.FromSpan(new float[300], 300);
            clone = y.Clone();
            sx = x.Storage;
            sy = y.Storage;
            Assert.NotNull(sx);
            Assert.Same(sy, view.Storage);
            Assert.Same(sy, detached.Storage);
            Assert.False(y.IsDisposed);
        }

        foreach (var t in new[] { x, y, view, detached, small, fromSpan, clone })
        {
            Assert.True(t.IsDisposed);
        }

        Assert.True(sx!.Released);
        Assert.True(sy!.Released);
        Assert.Null(PooledStorage.Find(sy.Array));
    }

    public static TheoryData<string> Accessors => new() { "Span", "AsReadOnlySpan", "ToArray", "Item", "indexer get", "indexer set", "op", "Reshape", "Detach", "Clone", "Backward" };

    [Theory]
    [MemberData(nameof(Accessors))]
    public void UsingADisposedTensorThrowsNamingItsShape(string accessor)
    {
        Tensor t, one;
        using (TensorScope.Begin())
        {
            t = Tensor.Randn([3, 5, 7], new Generator(2)).RequiresGrad_().Mul(2f);
            one = Tensor.Full(1f, 1, 1, 1, 1, 1, 1, 1);
        }

        if (accessor == "Item")
        {
            var e = Assert.Throws<ObjectDisposedException>(() => one.Item());
            Assert.Contains("[1, 1, 1, 1, 1, 1, 1]", e.Message, StringComparison.Ordinal);
            return;
        }

        Action use = accessor switch
        {
            "Span" => () => t.Span[0] = 1,
            "AsReadOnlySpan" => () => _ = t.AsReadOnlySpan()[0],
            "ToArray" => () => t.ToArray(),
            "indexer get" => () => _ = t[0, 0, 0],
            "indexer set" => () => t[0, 0, 0] = 1,
            "op" => () => t.Add(t),
            "Reshape" => () => t.Reshape(105),
            "Detach" => () => t.Detach(),
            "Clone" => () => t.Clone(),
            _ => () => t.Backward(Tensor.Ones(3, 5, 7)),
        };
        var ex = Assert.Throws<ObjectDisposedException>(use);
        Assert.Contains("[3, 5, 7]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("disposed", t.ToString(), StringComparison.Ordinal); // ToString never throws
        Assert.Equal(new Shape(3, 5, 7), t.Shape);
    }

    [Fact]
    public void KeptTensorsSurviveWithTheirValuesWhileTheScopeStorageIsReused()
    {
        var g = new Generator(3);
        var a = Tensor.Randn([32, 48], g);
        var b = Tensor.Randn([48, 40], g);
        float[] expected = a.MatMul(b).Tanh().ToArray();

        Tensor kept, keptView;
        using (var scope = TensorScope.Begin())
        {
            kept = scope.Keep(a.MatMul(b).Tanh());
            keptView = scope.Keep(a.MatMul(b).Reshape(-1)); // a view: its storage must survive too
        }

        Assert.False(kept.IsDisposed);
        Assert.False(keptView.IsDisposed);
        for (int round = 0; round < 3; round++)
        {
            using (TensorScope.Begin())
            {
                for (int i = 0; i < 20; i++)
                {
                    Tensor.Full(7f, 32, 40).Add(1f); // same size class as the kept storage
                }
            }
        }

        Assert.Equal(Bits(expected), Bits(kept.ToArray()));
        Assert.Equal(Bits(a.MatMul(b).ToArray()), Bits(keptView.ToArray()));
    }

    [Fact]
    public void KeepingAViewKeepsTheStorageButNotTheOtherHandles()
    {
        Tensor x, v;
        using (var scope = TensorScope.Begin())
        {
            x = Tensor.Arange(512);
            v = scope.Keep(x.Reshape(16, 32));
        }

        Assert.True(x.IsDisposed);
        Assert.False(v.IsDisposed);
        Assert.Equal(511f, v[15, 31]);
    }

    [Fact]
    public void NestedScopesFreeInnerTensorsFirstAndMoveToOuterScopeGoesOneLevelUp()
    {
        var baseline = TensorScope.Current; // non-null when the whole suite runs in scopes
        using var outer = TensorScope.Begin();
        var a = Tensor.Full(1f, 200);
        Tensor inner1, moved;
        using (var inner = TensorScope.Begin())
        {
            Assert.Same(inner, TensorScope.Current);
            inner1 = a.Add(1f);
            moved = a.Add(2f).MoveToOuterScope();
        }

        Assert.Same(outer, TensorScope.Current);
        Assert.True(inner1.IsDisposed);
        Assert.False(moved.IsDisposed);
        Assert.False(a.IsDisposed);
        Assert.Equal(3f, moved[199]);

        outer.Dispose();
        Assert.True(moved.IsDisposed);
        Assert.True(a.IsDisposed);
        Assert.Same(baseline, TensorScope.Current);
    }

    [Fact]
    public void DisposingAnOuterScopeDisposesTheInnerOnesStillActive()
    {
        var baseline = TensorScope.Current;
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        var t = Tensor.Zeros(500);
        outer.Dispose();
        Assert.True(inner.IsDisposed);
        Assert.True(t.IsDisposed);
        Assert.Same(baseline, TensorScope.Current);
        inner.Dispose(); // a second dispose is harmless
    }

    [Fact]
    public void RunReturnsItsResultKeptAndFreesTheRest()
    {
        var baseline = TensorScope.Current;
        Tensor temp = null!;
        var y = TensorScope.Run(() =>
        {
            temp = Tensor.Full(2f, 300);
            return temp.Mul(temp);
        });
        Assert.True(temp.IsDisposed);
        Assert.False(y.IsDisposed);
        Assert.Equal(4f, y[299]);
        Assert.Same(baseline, y.Owner);
        Assert.Equal(baseline is null, y.Storage!.Escaped);
    }

    [Fact]
    public void LeafGradientsOutliveTheScopeAndEqualThoseComputedWithoutIt()
    {
        var g = new Generator(4);
        var w = Tensor.Randn([40, 30], g).RequiresGrad_();
        var x = Tensor.Randn([50, 40], g);
        x.MatMul(w).Sigmoid().Sum().Backward();
        float[] expected = w.Grad!.ToArray();
        w.Grad = null;

        using (TensorScope.Begin())
        {
            x.MatMul(w).Sigmoid().Sum().Backward();
            x.MatMul(w).Sigmoid().Sum().Backward(); // the second accumulates into the unscoped gradient
        }

        Assert.False(w.Grad!.IsDisposed);
        Assert.Null(w.Grad.Owner);
        Assert.Null(w.Grad.Storage);
        Assert.Equal(Bits(expected.Select(v => v + v).ToArray()), Bits(w.Grad.ToArray()));
    }

    [Fact]
    public void ParametersCreatedInsideAScopeOutliveIt()
    {
        Linear layer;
        float[] weights;
        using (TensorScope.Begin())
        {
            layer = new Linear(64, 32, generator: new Generator(5));
            weights = layer.Weight.ToArray();
        }

        Assert.False(layer.Weight.IsDisposed);
        using (TensorScope.Begin())
        {
            for (int i = 0; i < 10; i++)
            {
                Tensor.Full(9f, 32, 64);
            }
        }

        Assert.Equal(Bits(weights), Bits(layer.Weight.ToArray()));
        var y = layer.Forward(Tensor.Ones(2, 64));
        Assert.Equal(new Shape(2, 32), y.Shape);
    }

    [Fact]
    public void EmptyIsZeroFilledEvenOnARecycledBufferAndUninitializedIsPoisoned()
    {
        const int N = 5003;
        for (int round = 0; round < 3; round++)
        {
            using (TensorScope.Begin())
            {
                Tensor.Full(5f, N);
                Tensor.Full(-3f, N + 100); // same size class
            }

            using (TensorScope.Begin())
            {
                Assert.All(Tensor.Zeros(N).ToArray(), v => Assert.Equal(0f, v));
                Assert.All(Tensor.Empty(new Shape(N + 50)).ToArray(), v => Assert.Equal(0f, v));
                Assert.All(Tensor.ZerosLike(Tensor.Ones(N)).ToArray(), v => Assert.Equal(0f, v));
                Assert.All(Tensor.Uninitialized(new Shape(N)).ToArray(), v => Assert.True(float.IsNaN(v)));
            }
        }

        Assert.All(Tensor.Uninitialized(new Shape(N)).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(Tensor.Uninitialized(new Shape(7)).ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void ScopedArraysLiveExactlyAsLongAsTheirScope()
    {
        float[] saved, zeroed;
        using (TensorScope.Begin())
        {
            saved = Tensor.ScopedArray(1000);
            zeroed = Tensor.ScopedArray(1000, zeroed: true);
            Assert.True(saved.Length >= 1000);
            Assert.NotNull(PooledStorage.Find(saved));
            Assert.All(zeroed.AsSpan(0, 1000).ToArray(), v => Assert.Equal(0f, v));
            Assert.All(saved.AsSpan(0, 1000).ToArray(), v => Assert.True(float.IsNaN(v)));
        }

        Assert.Null(PooledStorage.Find(saved));
        Assert.Null(PooledStorage.Find(zeroed));
        Assert.Equal(1000, OnOtherThread(() => Tensor.ScopedArray(1000)).Length);
    }

    [Fact]
    public void WithoutAScopeTensorsArePlainExactSizeArrays()
    {
        var t = OnOtherThread(() => Tensor.Zeros(1000).Add(1f)); // a fresh thread has no scope
        Assert.Equal(1000, t.Buffer.Length);
        Assert.Null(t.Owner);
        Assert.Null(t.Storage);
        Assert.False(t.IsDisposed);
        Assert.Same(t, t.MoveToOuterScope());
    }

    [Fact]
    public void BackwardThroughOpsOfADisposedScopeThrowsBeforeAnyGradientChanges()
    {
        var w = Tensor.Full(0.5f, 300).RequiresGrad_();
        Tensor y;
        using (var scope = TensorScope.Begin())
        {
            y = w.Mul(3f).Exp();
            y.Sum().Backward();   // the graph has been used, so keeping y frees the scope
            scope.Keep(y);
        }

        float[] before = w.Grad!.ToArray();
        Assert.False(y.IsDisposed);
        var ex = Assert.Throws<ObjectDisposedException>(() => y.Sum().Backward());
        Assert.Contains("recorded in a TensorScope that has been disposed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Bits(before), Bits(w.Grad.ToArray()));
    }

    [Fact]
    public void KeepingATensorWhoseGraphAwaitsBackwardKeepsTheGraphUsable()
    {
        // The TorchSharp pattern: a forward in its own scope returns its output, backward comes later.
        var g = new Generator(6);
        var block = new TransformerBlock(16, 2, 32, dropout: 0f, activation: TransformerActivation.Gelu, generator: g);
        var x = Tensor.Randn([3, 5, 16], g).RequiresGrad_();
        block.Forward(x, isCausal: true).Square().Sum().Backward();
        var expected = block.Parameters().Select(p => p.Grad!.ToArray()).Append(x.Grad!.ToArray()).ToList();
        block.ZeroGrad();
        x.Grad = null;

        Tensor h, other = null!, moved;
        using (var step = TensorScope.Begin())
        {
            h = TensorScope.Run(() =>
            {
                other = x.Mul(2f);
                return block.Forward(x, isCausal: true);
            });
            Assert.False(other.IsDisposed); // the inner scope merged into the step scope
            h.Square().Sum().Backward();
            moved = h.MoveToOuterScope();   // its graph has been used: the step scope can still free the rest
        }

        Assert.True(other.IsDisposed); // freed with the step scope the inner scope merged into
        Assert.Same(h, moved);
        Assert.False(moved.IsDisposed);
        var actual = block.Parameters().Select(p => p.Grad!.ToArray()).Append(x.Grad!.ToArray()).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Bits(expected[i]), Bits(actual[i]));
        }

        // With no enclosing scope the graph's storage leaves the pool: backward still works later.
        block.ZeroGrad();
        x.Grad = null;
        var h2 = TensorScope.Run(() => block.Forward(x, isCausal: true));
        h2.Square().Sum().Backward();
        Assert.False(h2.IsDisposed);
        Assert.Equal(Bits(expected[^1]), Bits(x.Grad!.ToArray()));
        Assert.Equal(Bits(h2.ToArray()), Bits(moved.ToArray()));
    }

    [Fact]
    public void KeepingAGraphThatAwaitsBackwardDefersFreeingToTheEnclosingScopeButADetachedValueDoesNot()
    {
        var w = Tensor.Full(0.5f, 300).RequiresGrad_();
        using (var outer = TensorScope.Begin())
        {
            Tensor temp, kept;
            using (var inner = TensorScope.Begin())
            {
                temp = w.Mul(2f);
                kept = inner.Keep(temp.Exp());
            }

            Assert.False(temp.IsDisposed); // kept's graph still needs it
            kept.Sum().Backward();
            Assert.Equal(2f * MathF.Exp(1f), w.Grad![0], 5);

            Tensor temp2, value;
            using (var inner = TensorScope.Begin())
            {
                temp2 = w.Mul(2f);
                value = inner.Keep(temp2.Exp().Detach());
            }

            Assert.True(temp2.IsDisposed);
            Assert.False(value.IsDisposed);
            outer.Dispose();
            Assert.True(temp.IsDisposed);
            Assert.True(value.IsDisposed);
        }
    }

    [Fact]
    public void BackwardInsideAScopeRecyclesTheGradientsItNoLongerNeeds()
    {
        const int N = 4096, Depth = 30;
        var x = Tensor.Randn([N], new Generator(7)).RequiresGrad_();
        Tensor Chain()
        {
            var h = x;
            for (int i = 0; i < Depth; i++)
            {
                h = h.Mul(0.9f).Tanh();
            }

            return h.Sum();
        }

        Chain().Backward();
        float[] expected = x.Grad!.ToArray();
        x.Grad = null;

        using (var scope = TensorScope.Begin())
        {
            var loss = Chain();
            long afterForward = scope.OwnedPooledBytes;
            loss.Backward();
            long afterBackward = scope.OwnedPooledBytes;

            // Without recycling, backward would hold about two new buffers per op (60 x 16 KiB).
            long buffer = TensorPool.ClassLength(TensorPool.ClassIndex(N)) * sizeof(float);
            Assert.True(afterBackward - afterForward <= 2 * buffer, $"backward kept {afterBackward - afterForward} bytes of pooled storage");
            Assert.True(afterForward >= 2 * Depth * buffer);
        }

        Assert.Equal(Bits(expected), Bits(x.Grad!.ToArray()));
    }

    [Fact]
    public void AScopeBelongsToItsThread()
    {
        using var scope = TensorScope.Begin();
        var (current, made) = OnOtherThread(() => (TensorScope.Current, Tensor.Zeros(1000)));
        Assert.Null(current);
        Assert.Null(made.Owner); // created on another thread: not in this scope
        Assert.IsType<InvalidOperationException>(OnOtherThread<Exception?>(() => Record.Exception(scope.Dispose)));
        Assert.IsType<InvalidOperationException>(OnOtherThread(() => Record.Exception(() => scope.Keep(made))));
        Assert.False(scope.IsDisposed);
    }

    [Fact]
    public void KeepRejectsDisposedTensorsAndDisposedScopes()
    {
        var first = TensorScope.Begin();
        var t = Tensor.Zeros(400);
        first.Dispose();
        using var second = TensorScope.Begin();
        Assert.Throws<ObjectDisposedException>(() => second.Keep(t));
        Assert.Throws<ObjectDisposedException>(() => first.Keep(Tensor.Zeros(2)));
    }

    [Fact]
    public void ScopeEachTestSwitchWrapsTheTestBodyOnlyWhenAsked()
    {
        bool enabled = Environment.GetEnvironmentVariable("PARAMGEN_SCOPE_EACH_TEST") == "1";
        Assert.Equal(enabled, TensorScope.Current is not null);
    }

    internal static T OnOtherThread<T>(Func<T> body)
    {
        T result = default!;
        var thread = new Thread(() => result = body());
        thread.Start();
        thread.Join();
        return result;
    }

    internal static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
