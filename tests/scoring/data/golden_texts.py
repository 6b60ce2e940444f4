"""Twenty English texts with learners' errors for the language model's golden test: nineteen
sentences and short replies, then a 400-word essay (written for this test)."""

ESSAY = (
    "Dear Mr Patel,\n\n"
    "Thank you for contacting our customer service team about your recent order. I am sorry "
    "to hear that the package you was expecting on Monday has not arrive yet. I have checked "
    "the tracking number you gave us and it show that the parcel left our warehouse in "
    "Leicester on 3 March, but since then there is no more update from the courier. This is "
    "not the service we want to give to our customers and I understand why you are "
    "frustrated.\n\n"
    "First, I want to explain what happen. Our courier partner had a problem with one of "
    "there sorting centres last week, and many parcels was delayed for two or three days. "
    "Most of them are now delivered, however a small number of parcels is still waiting to be "
    "scanned. I think your parcel is one of this parcels. I have open a case with the courier "
    "today and they promised to answer me within 48 hours.\n\n"
    "Second, I would like to offer you some options. If you prefer to wait, I will follow the "
    "case every day and I will send you an e-mail as soon as I have any news. If the parcel is "
    "not delivered by Friday, we can send you a new one with express delivery at no extra cost. "
    "Alternatively, if you dont want to wait anymore, we can cancel the order and refund the "
    "full amount of 64.90 GBP to your card, it usually takes three to five working days for "
    "the money to appear on your statement.\n\n"
    "Please let me know which option you prefer by replying to this e-mail. You can also call "
    "us on 0800 123 4567 from Monday to Saturday, between 8 am and 8 pm, and quote your case "
    "reference so my colleagues can help you quickly. Once your verified your address with "
    "them, they can also change the delivery address if you will not be at home this week.\n\n"
    "I want to apologise again for the inconvenient caused. We value you as a customer and we "
    "are working with the courier to make sure that this kind of delays does not happen "
    "again. As a small gesture of goodwill, I have added a discount code of ten percent to "
    "your account, which you can use on your next order until the end of the year.\n\n"
    "Thank you for your patience and understanding, and I look forward to hear from you.\n\n"
    "Kind regards,\n"
    "Amira Haddad\n"
    "Customer Care Team"
)

TEXTS = (
    "I am agree with you.",
    "He go to school every day.",
    "Could you tell me where is the invoice?",
    "There is many reason to be positive.",
    "We have send the parcel to your address yesterday.",
    "you was charged twice for the same order, sorry for that.",
    "Once your verified your account, you can download the receipt.",
    "Only 6 was delivered out of the 10 items you ordered.",
    "Thank you for you're patience, we will refund 25.50 EUR by 3 March.",
    "The customer said their very unhappy with the service, I will call him back.",
    "Its important to check the form before you submits it.",
    "Please find attach the document what you asked for.",
    "I didn't received any e-mail from the shipping department.",
    "Dear Ms. Okafor, your 2 parcels (ref. A-17) arrive on 03/04 \u2014 sorry!",
    "We apologize for the inconvenience caused and we will do our best to fix it.",
    "The order has been cancelled and a full refund has been issued to your card.",
    "Do you think drive more?",
    "Hello,\r\nI check your account and everything look fine now.\r\nRegards",
    "Thanks a lot \U0001f60a the new password work perfectly!",
    ESSAY,
)
