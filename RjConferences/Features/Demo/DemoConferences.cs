using RjConferences.Features.Conferences;

namespace RjConferences.Features.Demo;

public static partial class DemoData
{
    // ---- The plan after a case is ready to schedule: the conference, the agreement, follow-up ----

    /// <summary>Conference <see cref="Conference"/> of the case (0: its first) is booked for <see cref="Start"/>; the room is the n-th of the school's.</summary>
    internal sealed record Book(DateTimeOffset At, int Conference, DateTimeOffset Start, int Minutes, int RoomPick) : Step(At);
    internal sealed record Reschedule(DateTimeOffset At, int Conference, DateTimeOffset Start, string Reason) : Step(At);
    internal sealed record Prepare(DateTimeOffset At, int Party, string Method, string Notes, bool Ready) : Step(At);
    internal sealed record Cancel(DateTimeOffset At, int Conference, string Reason) : Step(At);
    internal sealed record NotHeld(DateTimeOffset At, int Conference, int[] Absent, string Reason) : Step(At);
    internal sealed record Held(DateTimeOffset At, int Conference, int[] Absent, bool Reached, bool ExclusionAvoided, int? Satisfaction,
        bool? FeelsSafer, bool? FeltPrepared, bool? WouldRecommend, string? Reflection, List<PlannedAction> Actions) : Step(At);
    /// <summary>An agreement action: who does it and who checks it are party indexes (checker null: the facilitator).</summary>
    internal sealed record PlannedAction(string Type, string Text, int DoneBy, DateOnly DueOn, int? CheckerParty, string? Amount, string? Hours);
    internal sealed record Wish(DateTimeOffset At, int Conference, bool Wants) : Step(At);
    internal sealed record MarkAction(DateTimeOffset At, int Conference, int Action, bool Completed, DateOnly On, string? Reason) : Step(At);
    internal sealed record ExtendAction(DateTimeOffset At, int Conference, int Action, DateOnly DueOn, string Reason) : Step(At);
    internal sealed record AfterMiss(DateTimeOffset At, int Conference, bool Failed, string Reason) : Step(At);
    internal sealed record Told(DateTimeOffset At, int Conference, DateOnly On) : Step(At);
    internal sealed record RecordCheck(DateTimeOffset At, int Months, DateOnly On, string Source, string Result, string? CjsType, DateOnly? CjsOn) : Step(At);
    internal sealed record CloseCase(DateTimeOffset At, string Reason) : Step(At);
    internal sealed record RunDailyJob(DateTimeOffset At) : Step(At);

    /// <summary>
    /// Plans what follows "ready to schedule" for the conference stories. Every conference takes a
    /// slot of its own (a school day, four start times), so the bookings never collide; the booking
    /// service checks that anyway. Steps that would come after the real now are left out: that is
    /// what leaves upcoming conferences, actions still to do and follow-up checks still to record.
    /// </summary>
    internal sealed class ConferencePlanner(Random random, DateTimeOffset now, SchoolCalendar calendar, int[] intervals)
    {
        private static readonly TimeOnly[] SlotTimes = [new(9, 0), new(11, 0), new(13, 30), new(15, 30)];
        private readonly HashSet<(DateOnly, int)> taken = [];

        private DateOnly Today => LondonTime.DateOf(now);

        /// <summary>The day around which the story's conference is held.</summary>
        public DateOnly TargetDay(Story story) => Today.AddDays(story.Name switch
        {
            Story.Upcoming => random.Next(1, 36),
            Story.OutcomeDue => -random.Next(1, 6),
            Story.Cancelled => -random.Next(7, 120),
            Story.NotHeld => -random.Next(7, 150),
            Story.NoAgreement => -random.Next(5, 40),
            Story.NoAgreementClosed => -random.Next(40, 400),
            Story.Active => -random.Next(14, 100),
            Story.NewConference => -random.Next(70, 200),
            Story.Escalated => -random.Next(60, 300),
            Story.FollowUp => -random.Next(130, 350),
            _ => -random.Next(395, 465), // diverted or entered the CJS: the 12-month check is done
        });

        public void Plan(PlannedCase plan, DateTimeOffset readyAt, DateOnly target)
        {
            var story = plan.Story.Name;
            var parties = plan.Parties;
            var harmed = parties.FindIndex(p => p.Role == "harmed");
            var parent = parties.FindIndex(p => p.SupporterType is "parent" or "guardian" && p.SupportsKey == parties[0].Key);
            var steps = new List<Step>();

            var bookAt = WorkTime(LondonTime.DateOf(readyAt).AddDays(random.Next(1, 6)), readyAt);
            if (bookAt > now.AddHours(-1)) bookAt = readyAt + (now - readyAt) / 2;
            var minutes = Chance(0.3) ? 90 : 60;
            var start = story == Story.OutcomeDue
                ? SlotBefore(target, bookAt.AddDays(2), now.AddHours(-3))
                : Slot(target, story == Story.Upcoming && now.AddHours(2) > bookAt.AddDays(2) ? now.AddHours(2) : bookAt.AddDays(2));
            steps.Add(new Book(bookAt, 0, start, minutes, random.Next(10)));
            var lastBooking = bookAt;
            if (story is not (Story.OutcomeDue or Story.Diverted or Story.EnteredCjs) && start - bookAt > TimeSpan.FromDays(6) && Chance(0.15))
            {
                // The time moves once; the first slot stays taken.
                var movedAt = WorkTime(LondonTime.DateOf(bookAt).AddDays(random.Next(1, 3)), bookAt);
                if (movedAt < start.AddDays(-1))
                {
                    start = Slot(LondonTime.DateOf(start).AddDays(random.Next(2, 8)), start);
                    steps.Add(new Reschedule(movedAt, 0, start, Pick(RescheduleReasons)));
                    lastBooking = movedAt;
                }
            }
            var cancelAt = WorkTime(LondonTime.DateOf(start).AddDays(-random.Next(1, 5)), lastBooking);
            if (cancelAt >= start) cancelAt = lastBooking + (start - lastBooking) / 2;
            Prepare(steps, [0, harmed, parent], lastBooking, story == Story.Cancelled ? cancelAt : start);

            var outcomeAt = start.AddMinutes(minutes + random.Next(10, 90));
            switch (story)
            {
                case Story.Upcoming or Story.OutcomeDue:
                    break;
                case Story.Cancelled:
                    steps.Add(new Cancel(cancelAt, 0, Pick(CancelReasons)));
                    break;
                case Story.NotHeld:
                    steps.Add(new NotHeld(outcomeAt, 0, [Chance(0.6) ? harmed : 0], Pick(NotHeldReasons)));
                    break;
                case Story.NoAgreement or Story.NoAgreementClosed:
                    steps.Add(HeldStep(outcomeAt, parties, harmed, reached: false, []));
                    if (story == Story.NoAgreementClosed)
                    {
                        steps.Add(new CloseCase(WorkTime(LondonTime.DateOf(outcomeAt).AddDays(random.Next(3, 15)), outcomeAt), Pick(CloseNoAgreementReasons)));
                    }
                    break;
                default:
                    PlanAgreement(plan, steps, LondonTime.DateOf(start), outcomeAt, harmed, parent);
                    break;
            }
            plan.Steps.AddRange(steps.Where(s => s.At < now.AddMinutes(-2)));
        }

        /// <summary>The facilitator meets the young person, the harmed party and the parent between the booking and the conference.</summary>
        private void Prepare(List<Step> steps, int[] parties, DateTimeOffset after, DateTimeOffset before)
        {
            var first = LondonTime.DateOf(after).AddDays(1);
            var last = LondonTime.DateOf(before).AddDays(-1);
            foreach (var party in parties.Where(p => p >= 0).Distinct())
            {
                if (last < first) return;
                var day = first.AddDays(random.Next(last.DayNumber - first.DayNumber + 1));
                if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(day.DayOfWeek == DayOfWeek.Saturday ? -1 : 1);
                if (day < first || day > last) continue;
                steps.Add(new Prepare(At(day, random.Next(14 * 60, 17 * 60 + 30)), party, Chance(0.7) ? "in_person" : "phone",
                    Pick(PreparationNotes), Chance(0.93)));
            }
        }

        private Held HeldStep(DateTimeOffset at, List<Referrals.PartyForm> parties, int harmed, bool reached, List<PlannedAction> actions)
        {
            var absent = parties.Select((p, i) => (p, i))
                .Where(x => x.p.Role != "responsible" && (x.i == harmed ? Chance(0.08) : Chance(0.12)))
                .Select(x => x.i).ToArray();
            var heard = !absent.Contains(harmed);
            bool? YesNo(double p) => heard && Chance(0.9) ? Chance(p) : null;
            int? satisfaction = !heard || Chance(0.1) ? null
                : reached ? Weighted((5, 45), (4, 33), (3, 12), (2, 6), (1, 4)) : Weighted((5, 8), (4, 20), (3, 32), (2, 25), (1, 15));
            return new Held(at, 0, absent, reached, ExclusionAvoided: Chance(reached ? 0.6 : 0.35), satisfaction,
                YesNo(reached ? 0.85 : 0.5), YesNo(0.9), YesNo(reached ? 0.88 : 0.55), Chance(0.5) ? Pick(Reflections) : null, actions);
        }

        private void PlanAgreement(PlannedCase plan, List<Step> steps, DateOnly day, DateTimeOffset outcomeAt, int harmed, int parent)
        {
            var story = plan.Story.Name;
            var types = plan.Form.OffenceCategoryId switch
            {
                2 => new[] { "written_apology", "compensation", "behaviour_commitment" },
                3 => ["written_apology", "repair_or_replace", "work"],
                6 => ["written_apology", "work", "behaviour_commitment"],
                7 => ["programme", "behaviour_commitment", "verbal_apology"],
                8 => ["written_apology", "other", "behaviour_commitment"],
                _ => [Chance(0.5) ? "verbal_apology" : "written_apology", "behaviour_commitment", "programme"],
            };
            var count = Weighted((1, 25), (2, 45), (3, 30));
            var actions = types.Take(count).Select(type => new PlannedAction(type, Pick(ActionTexts[type]), 0, day.AddDays(random.Next(7, 61)),
                Chance(0.5) ? null : Chance(0.6) ? harmed : parent,
                type == "compensation" ? Pick(new[] { "15", "20", "25.50", "40" }) : null, type == "work" ? Pick(new[] { "2", "3", "4", "6" }) : null)).ToList();
            var overdue = -1;
            if (story == Story.Active)
            {
                // One action still to do; sometimes another one overdue, waiting for the facilitator.
                actions[0] = actions[0] with { DueOn = Today.AddDays(random.Next(10, 60)) };
                if (actions.Count > 1 && Chance(0.35) && Today.AddDays(-12) > day)
                {
                    actions[1] = actions[1] with { DueOn = Today.AddDays(-random.Next(3, 12)) };
                    overdue = 1;
                }
            }
            steps.Add(HeldStep(outcomeAt, plan.Parties, harmed, reached: true, actions));
            var wants = Chance(0.6);
            // Asked at the end of the conference, before any action can be done (the earliest is the next day), so the
            // agreement is still active whatever day the demo is built on.
            steps.Add(new Wish(outcomeAt.AddMinutes(random.Next(5, 30)), 0, wants));

            DateTimeOffset? ended = null;
            if (story is Story.Escalated or Story.NewConference)
            {
                var missedDue = actions[0].DueOn;
                var missAt = WorkTime(missedDue.AddDays(random.Next(2, 7)), outcomeAt);
                steps.Add(new MarkAction(missAt, 0, 0, Completed: false, missedDue.AddDays(1), Pick(MissedReasons)));
                foreach (var (action, i) in actions.Select((a, i) => (a, i)).Skip(1).Where(x => x.a.DueOn < missedDue))
                {
                    Complete(steps, i, day, action.DueOn, outcomeAt, canMiss: false);
                }
                ended = WorkTime(LondonTime.DateOf(missAt).AddDays(random.Next(1, 6)), missAt);
                steps.Add(new AfterMiss(ended.Value, 0, story == Story.Escalated, Pick(story == Story.Escalated ? FailedReasons : NewConferenceReasons)));
            }
            else
            {
                var done = new List<DateTimeOffset>();
                for (var i = 0; i < actions.Count; i++)
                {
                    if (i != overdue) done.Add(Complete(steps, i, day, actions[i].DueOn, outcomeAt, canMiss: true));
                }
                if (story != Story.Active) ended = done.Max();
            }
            if (wants && ended is { } end)
            {
                var toldAt = WorkTime(LondonTime.DateOf(end).AddDays(random.Next(1, 8)), end);
                if (now - end > TimeSpan.FromDays(20) || Chance(0.5)) steps.Add(new Told(toldAt, 0, LondonTime.DateOf(toldAt)));
            }
            if (story is Story.FollowUp or Story.Diverted or Story.EnteredCjs)
            {
                PlanChecks(steps, story, day, ended!.Value);
            }
        }

        /// <summary>The action is done (sometimes only after a miss and a new due date); returns when its completion is recorded.</summary>
        private DateTimeOffset Complete(List<Step> steps, int action, DateOnly conferenceDay, DateOnly due, DateTimeOffset after, bool canMiss)
        {
            if (canMiss && Chance(0.15))
            {
                var missAt = WorkTime(due.AddDays(random.Next(2, 7)), after);
                steps.Add(new MarkAction(missAt, 0, action, Completed: false, due.AddDays(1), Pick(MissedReasons)));
                due = LondonTime.DateOf(missAt).AddDays(random.Next(14, 29));
                after = missAt.AddMinutes(random.Next(5, 40));
                steps.Add(new ExtendAction(after, 0, action, due, Pick(ExtendReasons)));
            }
            var doneOn = due.AddDays(-random.Next(0, 8));
            if (doneOn <= conferenceDay) doneOn = conferenceDay.AddDays(1);
            if (doneOn < LondonTime.DateOf(after)) doneOn = LondonTime.DateOf(after);
            var at = WorkTime(doneOn, after);
            steps.Add(new MarkAction(at, 0, action, Completed: true, doneOn, null));
            return at;
        }

        /// <summary>The reviewer records each check some days after it is due (now and then late enough to be flagged overdue).</summary>
        private void PlanChecks(List<Step> steps, string story, DateOnly conferenceDay, DateTimeOffset after)
        {
            var months = intervals.Order().ToArray();
            var entered = story == Story.EnteredCjs ? random.Next(months.Length) : story == Story.FollowUp && Chance(0.08) ? 0 : -1;
            var previous = conferenceDay;
            for (var i = 0; i < months.Length; i++)
            {
                var last = i == months.Length - 1;
                var due = conferenceDay.AddMonths(months[i]);
                // The reviewer is behind with some of the recent ones: they wait on the follow-ups page (flagged once overdue).
                if (story == Story.FollowUp && due > Today.AddDays(-60) && Chance(0.6)) break;
                var at = WorkTime(due.AddDays(!last && Chance(0.12) ? random.Next(30, 50) : random.Next(1, 21)), after);
                var on = LondonTime.DateOf(at);
                var result = i == entered ? "entered_cjs" : Weighted(("no_further_offending", 86), ("dealt_with_informally", 14));
                var cjsType = result == "entered_cjs"
                    ? Weighted(("community_resolution", 40), ("youth_caution", 25), ("youth_conditional_caution", 15), ("charge", 15), ("conviction", 5))
                    : null;
                DateOnly? cjsOn = result == "entered_cjs" ? previous.AddDays(random.Next(1, Math.Max(2, on.DayNumber - previous.DayNumber))) : null;
                steps.Add(new RecordCheck(at, months[i], on, Weighted(("police_records", 50), ("youth_offending_team_records", 35), ("school", 15)),
                    result, cjsType, cjsOn));
                previous = on;
                after = at;
            }
        }

        /// <summary>The first free slot on a school day from <paramref name="from"/>, starting after <paramref name="notBefore"/>.</summary>
        private DateTimeOffset Slot(DateOnly from, DateTimeOffset notBefore)
        {
            for (var day = from; day < from.AddDays(400); day = day.AddDays(1))
            {
                if (TakeSlot(day, notBefore, DateTimeOffset.MaxValue) is { } start) return start;
            }
            throw new InvalidOperationException($"No free conference slot from {from}");
        }

        /// <summary>The latest free slot on a school day on or before <paramref name="from"/>, between the two times.</summary>
        private DateTimeOffset SlotBefore(DateOnly from, DateTimeOffset notBefore, DateTimeOffset before)
        {
            for (var day = from; day >= LondonTime.DateOf(notBefore); day = day.AddDays(-1))
            {
                if (TakeSlot(day, notBefore, before) is { } start) return start;
            }
            return Slot(from, before);
        }

        private DateTimeOffset? TakeSlot(DateOnly day, DateTimeOffset notBefore, DateTimeOffset before)
        {
            if (!calendar.IsSchoolDay(day)) return null;
            var first = random.Next(SlotTimes.Length);
            for (var k = 0; k < SlotTimes.Length; k++)
            {
                var slot = (first + k) % SlotTimes.Length;
                LondonTime.TryToUtc(day, SlotTimes[slot], out var start, out _);
                if (start > notBefore && start < before && taken.Add((day, slot))) return start;
            }
            return null;
        }

        /// <summary>A working-hours time on a weekday from <paramref name="day"/>, after <paramref name="after"/>.</summary>
        private DateTimeOffset WorkTime(DateOnly day, DateTimeOffset after)
        {
            for (var d = day; ; d = d.AddDays(1))
            {
                if (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                var at = At(d, random.Next(9 * 60, 17 * 60 + 30));
                if (at > after) return at;
                if (d >= LondonTime.DateOf(after)) return after.AddMinutes(random.Next(10, 60));
            }
        }

        private static DateTimeOffset At(DateOnly day, int minuteOfDay)
        {
            LondonTime.TryToUtc(day, new TimeOnly(minuteOfDay / 60, minuteOfDay % 60), out var utc, out _);
            return utc;
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private bool Chance(double p) => random.NextDouble() < p;

        private T Weighted<T>(params (T Value, int Weight)[] choices) => random.Weighted(choices);
    }
}
