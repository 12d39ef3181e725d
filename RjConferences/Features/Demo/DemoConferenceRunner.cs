using RjConferences.Features.Agreements;
using RjConferences.Features.Conferences;
using RjConferences.Features.FollowUps;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Demo;

public static partial class DemoData
{
    // ---- Carrying out the conference steps through the real services ----

    /// <summary>
    /// Books, prepares and records conferences, keeps agreements, records follow-up checks and closes
    /// cases as the referrer, the facilitator and the reviewer would on their pages.
    /// </summary>
    private sealed class ConferenceRunner(Db db, ConferenceBooking booking, PreparationMeetings preparation, AgreementOutcomes outcomes,
        ActionTracking tracking, FollowUpChecks checks, CaseClosing closing, Guid facilitatorId,
        ClaimsPrincipal referrer, ClaimsPrincipal facilitator, ClaimsPrincipal reviewer)
    {
        public async Task DoAsync(PlannedCase plan, Step step)
        {
            switch (step)
            {
                case Book b:
                    var rooms = await QueryAsync<long>("SELECT id FROM rooms WHERE school_id = @SchoolId ORDER BY id", new { plan.Form.SchoolId });
                    var booked = await booking.BookAsync(plan.CaseId, Booking(b.Start, b.Minutes, rooms[b.RoomPick % rooms.Count], plan.PartyIds), referrer);
                    Check(booked.Saved, booked.Errors, $"booking{string.Concat(booked.Warnings.Select(w => " " + w))}");
                    plan.ConferenceIds.Add(booked.ConferenceId!.Value);
                    break;
                case Reschedule r:
                    var conference = (await QueryAsync<(long RoomId, DateTimeOffset StartsAt, DateTimeOffset EndsAt)>(
                        "SELECT room_id, starts_at, ends_at FROM conferences WHERE id = @id", new { id = plan.ConferenceIds[r.Conference] })).Single();
                    var length = (int)(conference.EndsAt - conference.StartsAt).TotalMinutes;
                    var form = Booking(r.Start, length, conference.RoomId, plan.PartyIds);
                    form.Reason = r.Reason;
                    form.CaseVersion = (await QueryAsync<long>("SELECT version FROM cases WHERE id = @CaseId", new { plan.CaseId })).Single();
                    var moved = await booking.RescheduleAsync(plan.ConferenceIds[r.Conference], form, referrer);
                    Check(moved.Saved, moved.Errors, "rescheduling");
                    break;
                case Prepare p:
                    Check(await preparation.RecordAsync(plan.CaseId, new PreparationForm
                    {
                        PartyId = plan.PartyIds[p.Party], MetOn = DateInput.From(LondonTime.DateOf(p.At)), Method = p.Method, Notes = p.Notes, PartyReady = p.Ready,
                    }, facilitator), "preparation meeting");
                    break;
                case Cancel c:
                    Check(await booking.EndAsync(plan.ConferenceIds[c.Conference], "cancelled", c.Reason, [], referrer), "cancellation");
                    break;
                case NotHeld n:
                    Check(await outcomes.RecordOutcomeAsync(plan.ConferenceIds[n.Conference], new OutcomeForm
                    {
                        Held = false, Absent = n.Absent.Select(i => plan.PartyIds[i]).ToHashSet(), NotHeldReason = n.Reason,
                    }, facilitator), "conference not held");
                    break;
                case Held h:
                    Check(await outcomes.RecordOutcomeAsync(plan.ConferenceIds[h.Conference], new OutcomeForm
                    {
                        Held = true, Attended = plan.PartyIds.Where((_, i) => !h.Absent.Contains(i)).ToHashSet(),
                        AgreementReached = h.Reached, ExclusionAvoided = h.ExclusionAvoided,
                        Actions = h.Actions.Select(a => new ActionForm
                        {
                            Type = a.Type, Text = a.Text, DoneBy = plan.PartyIds[a.DoneBy], DueOn = DateInput.From(a.DueOn),
                            CheckedBy = a.CheckerParty is { } party ? Checker.Party(plan.PartyIds[party]) : Checker.User(facilitatorId),
                            Amount = a.Amount, Hours = a.Hours,
                        }).ToList(),
                        Satisfaction = h.Satisfaction, FeelsSafer = h.FeelsSafer, FeltPrepared = h.FeltPrepared, WouldRecommend = h.WouldRecommend,
                        Reflection = h.Reflection,
                    }, facilitator), "conference outcome");
                    break;
                case Wish w:
                    Check(await tracking.RecordWishAsync(plan.ConferenceIds[w.Conference], await VersionAsync(plan, w.Conference), w.Wants, Guid.NewGuid(), facilitator), "harmed party's wish");
                    break;
                case MarkAction m:
                    var (actionId, checker) = await ActionAsync(plan, m.Conference, m.Action);
                    var version = await VersionAsync(plan, m.Conference);
                    var status = new ActionStatusForm { On = DateInput.From(m.On), CheckedBy = checker, Reason = m.Reason };
                    Check(m.Completed
                        ? await tracking.CompleteAsync(plan.ConferenceIds[m.Conference], actionId, version, status, facilitator)
                        : await tracking.MissAsync(plan.ConferenceIds[m.Conference], actionId, version, status, facilitator), "action marked");
                    break;
                case ExtendAction e:
                    var (extended, _) = await ActionAsync(plan, e.Conference, e.Action);
                    Check(await tracking.ExtendAsync(plan.ConferenceIds[e.Conference], extended, await VersionAsync(plan, e.Conference),
                        new ExtendForm { DueOn = DateInput.From(e.DueOn), Reason = e.Reason }, facilitator), "extension");
                    break;
                case AfterMiss a:
                    var at = await VersionAsync(plan, a.Conference);
                    Check(a.Failed
                        ? await tracking.RecordFailedAsync(plan.ConferenceIds[a.Conference], at, a.Reason, facilitator)
                        : await tracking.HoldNewConferenceAsync(plan.ConferenceIds[a.Conference], at, a.Reason, facilitator), "decision after a miss");
                    break;
                case Told t:
                    Check(await tracking.RecordToldAsync(plan.ConferenceIds[t.Conference], await VersionAsync(plan, t.Conference), DateInput.From(t.On), "phone", facilitator),
                        "harmed party told");
                    break;
                case RecordCheck k:
                    var checkId = (await QueryAsync<Guid>("SELECT id FROM follow_up_checks WHERE case_id = @CaseId AND interval_months = @Months AND checked_on IS NULL",
                        new { plan.CaseId, k.Months })).SingleOrDefault();
                    Check(checkId != Guid.Empty, new FieldErrors(), $"{k.Months}-month follow-up check (not created by the daily job)");
                    Check(await checks.RecordAsync(checkId, new FollowUpForm
                    {
                        Source = k.Source, Result = k.Result, CjsOutcomeType = k.CjsType, CjsEnteredOn = DateInput.From(k.CjsOn), CheckedOn = DateInput.From(k.On),
                    }, reviewer), "follow-up check");
                    break;
                case CloseCase close:
                    Check(await closing.CloseAsync(plan.CaseId, close.Reason, referrer), "closure");
                    break;
                default:
                    throw new InvalidOperationException($"Unknown demo step {step}");
            }
        }

        private BookingForm Booking(DateTimeOffset start, int minutes, long roomId, IEnumerable<Guid> participants) => new()
        {
            Date = DateInput.From(LondonTime.DateOf(start)),
            StartTime = LondonTime.ToLondon(start).ToString("HH:mm", CultureInfo.InvariantCulture),
            LengthMinutes = minutes, RoomId = roomId, FacilitatorId = facilitatorId, ParticipantIds = participants.ToHashSet(),
        };

        private async Task<int> VersionAsync(PlannedCase plan, int conference) =>
            (await QueryAsync<int>("SELECT version FROM agreements WHERE conference_id = @id", new { id = plan.ConferenceIds[conference] })).Single();

        /// <summary>The action's id and its named checker, as the agreement page offers it.</summary>
        private async Task<(Guid Id, string Checker)> ActionAsync(PlannedCase plan, int conference, int action)
        {
            var row = (await QueryAsync<(Guid Id, Guid? Party, Guid? User)>("""
                SELECT x.id, x.checked_by_party_id, x.checked_by_user_id FROM agreement_actions AS x JOIN agreements AS g ON g.id = x.agreement_id
                WHERE g.conference_id = @id AND x.number = @number
                """, new { id = plan.ConferenceIds[conference], number = action + 1 })).Single();
            return (row.Id, row.Party is { } p ? Checker.Party(p) : Checker.User(row.User!.Value));
        }

        private async Task<List<T>> QueryAsync<T>(string sql, object parameters)
        {
            await using var connection = await db.OpenAsync();
            return (await connection.QueryAsync<T>(sql, parameters)).ToList();
        }

        private static void Check(FieldErrors errors, string what) => Check(errors.IsEmpty, errors, what);


        private static void Check(SaveResult result, string what) => Check(result.Outcome == SaveOutcome.Saved, result.Errors, what);

        private static void Check(bool ok, FieldErrors errors, string what)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"The demo {what} was refused: {string.Join("; ", errors.SelectMany(e => e.Value))}");
            }
        }
    }
}
