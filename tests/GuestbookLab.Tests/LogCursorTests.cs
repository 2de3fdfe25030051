using GuestbookLab.Engine;

namespace GuestbookLab.Tests;

/// <summary>Resuming a followed log: every line once, whatever the resumed stream sends again.</summary>
public class LogCursorTests
{
    [Fact]
    public void GivesEachLineOnceAcrossAResumeThatStartsAtTheWholeSecond()
    {
        var cursor = new LogCursor();
        Assert.Equal("a", cursor.Take("2026-12-03T07:00:00.1Z a"));
        Assert.Equal("b", cursor.Take("2026-12-03T07:00:00.5Z b"));
        Assert.Equal("c", cursor.Take("2026-12-03T07:00:00.5Z c"));
        Assert.Equal("2026-12-03T07:00:00.5Z", cursor.Since);

        // The stream broke off; the API server passes sinceTime on in whole seconds, so a, b and c come again.
        cursor.Resume();
        Assert.Null(cursor.Take("2026-12-03T07:00:00.1Z a"));
        Assert.Null(cursor.Take("2026-12-03T07:00:00.5Z b"));
        Assert.Null(cursor.Take("2026-12-03T07:00:00.5Z c"));
        Assert.Equal("d", cursor.Take("2026-12-03T07:00:00.5Z d"));
        Assert.Equal("e", cursor.Take("2026-12-03T07:00:00.500000001Z e"));
        Assert.Equal("f", cursor.Take("2026-12-03T07:00:01Z f"));
    }

    [Fact]
    public void ComparesNanosecondsAndZonesNotText()
    {
        var cursor = new LogCursor();
        Assert.Equal("x", cursor.Take("2026-12-03T07:00:00.123456789Z x"));
        cursor.Resume();
        Assert.Null(cursor.Take("2026-12-03T08:00:00.12345678+01:00 earlier"));
        Assert.Null(cursor.Take("2026-12-03T07:00:00.123456789Z x"));
        Assert.Equal("y", cursor.Take("2026-12-03T07:00:00.12345679Z y"));
    }

    [Fact]
    public void GivesALineWithoutATimeAsItIs()
    {
        var cursor = new LogCursor();
        Assert.Equal("no time here", cursor.Take("no time here"));
        Assert.Null(cursor.Since);
        Assert.Equal(string.Empty, cursor.Take("2026-12-03T07:00:00Z "));
    }
}
